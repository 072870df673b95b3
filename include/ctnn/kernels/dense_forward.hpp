#pragma once
// dense_forward: z = x·Wᵀ + b, y = Act(z), with bias and activation fused into the GEMM
// epilogue (one pass over the output, z stored only when asked).
//
// x: batch×In, W: Out×In (PyTorch layout), b: Out, y and z: batch×Out, all row-major.
// GEMM view: C = A·B with A = x (broadcast along k = In), B = Wᵀ packed panel by panel
// (transposing pack, O(In·Out), amortized over the batch). Threads split the weight panels (or the batch rows);
// each output element is one fma chain over k, so results are bitwise identical for any
// thread count. Out < 4 (a regression head) takes a dot-product path along k instead; a batch at
// most half of Out (In ≥ 128) the transposed form (dense_forward_transposed.hpp), the same bits.
#include <algorithm>
#include <cstddef>
#include <tuple>

#include <ctnn/core/parallel_for.hpp>
#include <ctnn/core/simd.hpp>
#include <ctnn/kernels/blocking.hpp>
#include <ctnn/kernels/dense_forward_transposed.hpp>
#include <ctnn/kernels/gemm_microkernel.hpp>
#include <ctnn/kernels/pack.hpp>
#include <ctnn/kernels/workspace.hpp>

namespace ctnn::kernels {

namespace detail {

/// Out < 4: per row, Out dot products of length In along k (vectorized over k), reduced
/// horizontally. Four rows at a time for four independent chains.
template <std::size_t In, std::size_t Out, class Act, class S>
void dense_forward_dot(const S* x, std::size_t r0, std::size_t r1, const S* w, const S* b, S* y, S* z) {
  using V = vec<S>;
  constexpr std::size_t L = lanes<S>;
  constexpr std::size_t kv = In / L * L;
  for (std::size_t i = r0; i < r1; ++i) {
    const S* xr = x + i * In;
    for (std::size_t o = 0; o < Out; ++o) {
      const S* wr = w + o * In;
      V acc[4] = {V(S(0)), V(S(0)), V(S(0)), V(S(0))};
      std::size_t k = 0;
      for (; k + 4 * L <= kv; k += 4 * L)
#pragma GCC unroll 4
        for (std::size_t u = 0; u < 4; ++u)
          acc[u] = simd::fma(V::load_unaligned(xr + k + u * L), V::load_unaligned(wr + k + u * L), acc[u]);
      for (; k < kv; k += L) acc[0] = simd::fma(V::load_unaligned(xr + k), V::load_unaligned(wr + k), acc[0]);
      if constexpr (In % L != 0) acc[1] = simd::fma(load_partial(xr + kv, In - kv), load_partial(wr + kv, In - kv), acc[1]);
      S s = xsimd::hadd((acc[0] + acc[1]) + (acc[2] + acc[3])) + b[o];
      if (z) z[i * Out + o] = s;
      y[i * Out + o] = Act::forward(s);
    }
  }
}

/// The forward epilogue of one tile (ct: `rows` × NV·L, row-major) for output rows i.. and
/// columns n0..: z = ct + b (stored when z is not null), y = Act(z).
template <std::size_t Out, class Act, class S, int NV>
CTNN_KERNEL_INLINE void forward_tile_epilogue(const S* ct, std::size_t i, std::size_t rows, std::size_t n0, const S* b,
                                              S* y, S* z) {
  constexpr std::size_t L = lanes<S>;
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t v = 0; v < std::size_t(NV); ++v) {
      const std::size_t col = n0 + v * L;
      const std::size_t nv = std::min(L, Out - col);
      const std::size_t off = (i + r) * Out + col;
      const vec<S> zz = vec<S>::load_aligned(ct + (r * NV + v) * L) + load_n(b + col, nv);
      if (z) store_n(z + off, zz, nv);
      store_n(y + off, Act::forward(zz), nv);
    }
}

template <std::size_t In, std::size_t Out, class Act, class S, int MR, int NV, std::size_t NR>
CTNN_KERNEL_INLINE void dense_forward_panel(const S* x, std::size_t r0, std::size_t r1, const S* panel,
                                            std::size_t n0, const S* b, S* y, S* z, S* tail) {
  // Whole tiles of a full panel: the epilogue straight from the accumulators (MR·NV inlined
  // activations; no round trip through a tile buffer: tiny_b32's step 8.4 → 8.25 µs). Short
  // tiles and the tail panel go through gemm_panel_rows' tile buffer.
  if (n0 + NR <= Out) {
    constexpr std::size_t L = lanes<S>;
    vec<S> bias[NV];
#pragma GCC unroll 8
    for (int v = 0; v < NV; ++v) bias[v] = vec<S>::load_unaligned(b + n0 + std::size_t(v) * L);
    for (; r0 + MR <= r1; r0 += MR) {
      vec<S> acc[MR][NV];
      gemm_tile<S, MR, NV, In, 1, NR>(x + r0 * In, panel, In, acc);
#pragma GCC unroll 32
      for (int r = 0; r < MR; ++r)
#pragma GCC unroll 8
        for (int v = 0; v < NV; ++v) {
          const std::size_t off = (r0 + std::size_t(r)) * Out + n0 + std::size_t(v) * L;
          const vec<S> zz = acc[r][v] + bias[v];
          if (z) zz.store_unaligned(z + off);
          Act::forward(zz).store_unaligned(y + off);
        }
    }
    if (r0 >= r1) return;
  }
  gemm_panel_rows<S, MR, NV, In, NR>(x, panel, In, r0, r1, tail, [&](std::size_t i, const S* ct, std::size_t rows) {
    forward_tile_epilogue<Out, Act, S, NV>(ct, i, rows, n0, b, y, z);
  });
}

/// Weight panel p of W (Out×In) packed transposed into `dst`: the one out-of-line copy of the
/// transposing pack per layer shape, shared by dense_forward and dense_forward_packing (as
/// dense_forward_panel_rows below, for the same reason).
template <std::size_t In, std::size_t Out, class S>
[[gnu::noinline]] void pack_forward_panel(const S* w, std::size_t p, S* dst) {
  using blk = nblocking<S, Out>;
  const std::size_t n0 = p * blk::NR;
  if (p < blk::full_panels) pack_transposed<S, blk::NR>(w + n0 * In, In, In, blk::NR, dst);
  else if constexpr (blk::NVt > 0) pack_transposed<S, blk::NRt>(w + n0 * In, In, In, blk::tail_cols, dst);
}

/// Rows [r0, r1) of weight panel p (packed at `panel`): the one out-of-line copy of the panel
/// kernels per layer shape and activation, which every caller shares (dense_forward, the
/// pre-packed forward of convolution and of the pipelined team step). Each caller inlining its
/// own copy cost the pipelined step +28 % compile time and +0.9 MB of code on 50 distinct layer
/// widths (bench/compile/deep50_distinct.cpp).
template <std::size_t In, std::size_t Out, class Act, class S>
[[gnu::noinline]] void dense_forward_panel_rows(const S* x, std::size_t r0, std::size_t r1, const S* panel,
                                                std::size_t p, const S* b, S* y, S* z, S* tail) {
  using blk = nblocking<S, Out>;
  if (p < blk::full_panels)
    dense_forward_panel<In, Out, Act, S, blk::MR, blk::NV, blk::NR>(x, r0, r1, panel, p * blk::NR, b, y, z, tail);
  else if constexpr (blk::NVt > 0)
    dense_forward_panel<In, Out, Act, S, blk::MRt, blk::NVt, blk::NRt>(x, r0, r1, panel, p * blk::NR, b, y, z, tail);
}

}  // namespace detail

/// Pre-packed weights, for callers that run the forward GEMM many times with the same W over
/// slices of their rows (convolution: one call per im2col chunk): W packed once, panel by panel
/// (each panel_stride elements), instead of once per call. Needs Out ≥ 4.
template <std::size_t In, std::size_t Out, class S>
struct dense_forward_packing {
  using blk = detail::nblocking<S, Out>;
  static_assert(Out >= 4, "dense_forward_packing: Out < 4 takes the dot-product path");
  static constexpr std::size_t panel_stride = (In * std::max(blk::NR, blk::NRt) + 15) / 16 * 16;
  static constexpr std::size_t packed_size = panel_stride * blk::panels;
  /// Row-tail copy each caller thread needs (elements).
  static constexpr std::size_t tail_size = std::size_t(std::max(blk::MR, blk::MRt)) * In;

  static void pack(const S* w, S* packed) { pack_panels(w, packed, 0, blk::panels); }
  /// Panels [p0, p1) only (threads packing disjoint panels of one buffer).
  static void pack_panels(const S* w, S* packed, std::size_t p0, std::size_t p1) {
    for (std::size_t p = p0; p < p1; ++p) detail::pack_forward_panel<In, Out>(w, p, packed + p * panel_stride);
  }
  /// y = Act(x·Wᵀ + b) for `rows` rows (serial), W given packed.
  template <class Act>
  static void forward(const S* x, std::size_t rows, const S* packed, const S* b, S* y, S* z, S* tail) {
    forward_panels<Act>(x, rows, packed, b, y, z, tail, 0, blk::panels);
  }
  /// The same for the columns of panels [p0, p1) only.
  template <class Act>
  static void forward_panels(const S* x, std::size_t rows, const S* packed, const S* b, S* y, S* z, S* tail,
                             std::size_t p0, std::size_t p1) {
    for (std::size_t p = p0; p < p1; ++p)
      detail::dense_forward_panel_rows<In, Out, Act>(x, 0, rows, packed + p * panel_stride, p, b, y, z, tail);
  }
};

template <std::size_t In, std::size_t Out, class Act, class S>
void dense_forward(const S* x, std::size_t batch, const S* w, const S* b, S* y, S* z, workspace& ws) {
  using namespace detail;
  using blk = nblocking<S, Out>;
  if (batch == 0) return;
  const double flops = 2.0 * double(batch) * double(In) * double(Out);
  if constexpr (Out < 4) {
    const int threads = threads_for(flops, batch, ctnn::num_threads());
    parallel_chunks(threads, [&](int c, int cs) {
      const auto [lo, hi] = chunk_range(batch, c, cs);
      dense_forward_dot<In, Out, Act>(x, lo, hi, w, b, y, z);
    });
    (void)ws;
  } else {
    const std::size_t row_blocks = (batch + blk::MR - 1) / blk::MR;
    // Split (dense_forward_split): by weight panels when they divide evenly (each thread packs
    // only its own panels, no duplicated transposing pack, and reads only its own rows of W), else
    // by batch rows (all panels packed by every thread). Either way each output is computed whole
    // by one thread.
    const dense_split split = dense_forward_split<S>(In, Out, batch, ctnn::num_threads());
    const int threads = split.threads;
    const bool by_panels = split.by_panels;
#if defined(__AVX512F__)
    if constexpr (transposed_forward_available<S, In, Out>) {
      // A batch well below Out: the transposed form (dense_forward_transposed.hpp), the same
      // bits. Split as below by the rows of W each thread owns; each thread packs all of xᵀ.
      if (use_transposed_forward(batch, In, Out) && (threads == 1 || by_panels)) {
        ws.reserve(threads, transposed_forward_pack_size<In>(batch) * sizeof(S));
        parallel_chunks(threads, [&](int c, int cs) {
          std::size_t m0 = 0, m1 = Out;
          if (cs > 1) {
            const auto [p0, p1] = chunk_range(split.panels, c, cs);
            m0 = std::min(Out, p0 * split.panel_rows);
            m1 = std::min(Out, p1 * split.panel_rows);
          }
          if (m0 >= m1) return;
          S* xt = ws.buffer<S>(c);
          pack_transposed_input<In>(x, batch, xt);
          dense_forward_transposed_rows<In, Out, Act>(xt, batch, w, b, y, z, m0, m1);
        });
        return;
      }
    }
#endif
    // Per thread: the packed panel (In × NR), then the row-tail copy (MR × In).
    constexpr std::size_t panel_elems = (In * std::max(blk::NR, blk::NRt) + 15) / 16 * 16;
    ws.reserve(threads, (panel_elems + std::size_t(std::max(blk::MR, blk::MRt)) * In) * sizeof(S));
    parallel_chunks(threads, [&](int c, int cs) {
      std::size_t r0 = 0, r1 = batch, p0 = 0, p1 = blk::panels;
      if (by_panels) {
        std::tie(p0, p1) = chunk_range(blk::panels, c, cs);
      } else {
        const auto [blo, bhi] = chunk_range(row_blocks, c, cs);
        r0 = blo * blk::MR;
        r1 = std::min(batch, bhi * blk::MR);
      }
      if (r0 >= r1) return;
      S* panel = ws.buffer<S>(c);
      S* tail = panel + panel_elems;
      for (std::size_t p = p0; p < p1; ++p) {
        pack_forward_panel<In, Out>(w, p, panel);
        dense_forward_panel_rows<In, Out, Act>(x, r0, r1, panel, p, b, y, z, tail);
      }
    });
  }
}

}  // namespace ctnn::kernels
