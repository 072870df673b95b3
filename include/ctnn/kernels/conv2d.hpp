#pragma once
// 2-D convolution over NHWC images as im2col + the dense GEMM kernels.
//
// With the batch's output pixels as rows, a convolution IS a dense layer of patch = C·K² inputs
// and Out outputs over batch·OH·OW rows (kernels/im2col.hpp): forward is dense_forward (bias and
// activation fused in its epilogue, output already NHWC), the weight gradient is
// dense_backward_weights with the rows as the reduction, the input gradient is
// dense_backward_input into im2col rows followed by col2im. A 1×1 stride-1 convolution skips
// im2col: its rows are the input itself.
//
// Blocking and threads: the batch is cut into G = min(batch, 16) groups of whole samples (G does
// not depend on the thread count); threads take whole groups, and walk their rows in chunks of
// about chunk_elems im2col values (kept in cache between im2col and the GEMM), each thread with
// its own nested workspace and chunk buffer. Forward and input gradient write disjoint rows and
// samples. The weight gradient sums one partial per group, then adds the partials in group
// order: every result is bitwise the same for any thread count.
#include <algorithm>
#include <cstddef>
#include <ctnn/core/parallel_for.hpp>
#include <ctnn/kernels/conv_geometry.hpp>
#include <ctnn/kernels/dense_backward_input.hpp>
#include <ctnn/kernels/dense_backward_weights.hpp>
#include <ctnn/kernels/dense_forward.hpp>
#include <ctnn/kernels/im2col.hpp>
#include <ctnn/kernels/workspace.hpp>
#include <ctnn/layers/identity.hpp>

namespace ctnn::kernels {

namespace conv_detail {

inline constexpr std::size_t max_groups = 16;
/// im2col values per chunk: 64 Ki (256 KiB in float), so a chunk stays in L2 between its im2col
/// and its GEMM.
inline constexpr std::size_t chunk_elems = std::size_t{1} << 16;

/// The weight gradient's chunks (its GEMM's reduction blocks) are as large as the forward's: a
/// 64 Ki-value chunk keeps each packed panel of rows in L1 across the Out-row tiles. Measured on a
/// 64→64 3×3 layer (best of 9): GEMM 198 GFLOP/s at 2^16 values, 168 at 2^17, 152 at 2^18.
inline constexpr std::size_t weight_chunk_elems = std::size_t{1} << 16;
/// The transposed weight gradient (below) streams its chunk of dz once, with no reuse across
/// tiles; a smaller chunk keeps the chunk's im2col rows and dz rows in L2 together. Measured on
/// the CNN's first layer (1→32, 3×3, 28×28, batch 128; 4 interleaved rounds): 1.06 ms at 2^13
/// values, 1.09 at 2^12, 1.20 at 2^16.
inline constexpr std::size_t transposed_weight_chunk_elems = std::size_t{1} << 13;

/// Lanes used by an n-wide vectorized dimension: n / (n rounded up to whole vectors).
template <class S>
constexpr double lane_use(std::size_t n) {
  const std::size_t L = detail::lanes<S>;
  return double(n) / double((n + L - 1) / L * L);
}
/// The weight gradient is computed transposed (dWᵀ = colᵀ·dz, vectorized over Out) when that
/// fills the vectors better: a first layer's patch of 9 uses 9 of 16 lanes, its 32 outputs all.
template <class G, std::size_t Out, class S>
inline constexpr bool transposed_weight_gradient = lane_use<S>(G::patch) < lane_use<S>(Out);

template <class G>
constexpr std::size_t chunk_rows(std::size_t elems) {
  const std::size_t rows = elems / G::patch / 16 * 16;
  return rows < 16 ? 16 : rows;
}
inline std::size_t groups_for(std::size_t batch) { return std::min(batch, max_groups); }
inline std::size_t group_start(std::size_t batch, std::size_t groups, std::size_t g) { return batch * g / groups; }

/// Runs body(thread, first sample, end sample) over the groups, threaded when it pays.
template <class Body>
void for_groups(std::size_t batch, std::size_t groups, int threads, Body&& body) {
  parallel_chunks(threads, [&](int t, int ts) {
    const auto [g0, g1] = detail::chunk_range(groups, t, ts);
    for (std::size_t g = g0; g < g1; ++g) body(t, g, group_start(batch, groups, g), group_start(batch, groups, g + 1));
  });
}

/// Whether the forward reads interior patches straight from x (implicit GEMM, below): the
/// kernel rows' runs must be long enough for the micro-kernel (K·C ≥ 4 vectors), Out must have
/// no tail panel (one tile height for every panel), and some output rows must hold at least one
/// tile of interior pixels.
template <class G, std::size_t Out, class S>
constexpr bool implicit_forward() {
  if constexpr (G::pointwise || Out < 4) {
    return false;
  } else {
    using blk = detail::nblocking<S, Out>;
    constexpr auto cols = interior_columns<G>();
    constexpr auto rows = interior_rows<G>();
    return G::kernel * G::channels >= 4 * detail::lanes<S> && blk::NVt == 0 && rows.second > rows.first &&
           cols.second - cols.first >= std::size_t(blk::MR);
  }
}

/// Implicit-GEMM forward tiles of one panel: output pixels (n, oy, ox0 + t·MR + r), t < tiles,
/// whose windows lie inside the image. For kernel row i, the K·C patch values of pixel ox are one
/// run of x starting at ((n·H + oy·S − P + i)·W + ox·S − P)·C, so the tile's A operand is x itself
/// with row stride S·C, one stretch of k per kernel row: k = i·K·C + j·C + c, the order im2col
/// writes, so each output is the fma chain of the im2col path, bit for bit, without the copy.
template <class G, std::size_t Out, class Act, class S, int MR, int NV, std::size_t NR>
CTNN_KERNEL_INLINE void forward_interior_tiles(const S* x, std::size_t n, std::size_t oy, std::size_t ox0,
                                               std::size_t tiles, const S* panel, std::size_t n0, const S* b, S* y,
                                               S* z) {
  constexpr std::size_t C = G::channels, K = G::kernel, KC = K * C, L = detail::lanes<S>;
  alignas(64) S ct[MR * NV * L];
  const std::size_t row0 = (n * G::out_h + oy) * G::out_w;
  const S* xs = x + n * G::in_size;
  for (std::size_t t = 0; t < tiles; ++t) {
    const std::size_t ox = ox0 + t * std::size_t(MR);
    const S* a = xs + ((oy * G::stride - G::padding) * G::width + ox * G::stride - G::padding) * C;
    detail::vec<S> acc[MR][NV];
    detail::gemm_tile<S, MR, NV, G::stride * C, 1, NR>(a, panel, KC, acc);
#pragma GCC unroll 1
    for (std::size_t i = 1; i < K; ++i)
      detail::gemm_tile<S, MR, NV, G::stride * C, 1, NR, true>(a + i * G::width * C, panel + i * KC * NR, KC, acc);
    detail::store_tile<S, MR, NV>(acc, ct);
    detail::forward_tile_epilogue<Out, Act, S, NV>(ct, row0 + ox, std::size_t(MR), n0, b, y, z);
  }
}

/// Per-thread scratch of the implicit forward beyond the im2col chunk and the row tail: the
/// chunk's outputs (y, z) and the output row each chunk row belongs to.
template <class G, std::size_t Out, class S>
inline constexpr std::size_t implicit_scratch =
    (2 * chunk_rows<G>(chunk_elems) * Out + (chunk_rows<G>(chunk_elems) * sizeof(std::size_t) + sizeof(S) - 1) / sizeof(S) +
     15) / 16 * 16;

/// The forward of samples [n0, n1) with implicit-GEMM tiles where windows lie inside the image
/// (forward_interior_tiles) and im2col + GEMM for the rest (the border pixels), which are
/// gathered into chunks, computed into ytmp/ztmp and copied to their rows.
template <class G, std::size_t Out, class Act, class Packing, class S>
void forward_implicit(const S* x, std::size_t n0, std::size_t n1, const S* packed, const S* b, S* y, S* z, S* col,
                      S* tail, S* extra) {
  using blk = typename Packing::blk;
  constexpr std::size_t chunk = chunk_rows<G>(chunk_elems), patch = G::patch;
  constexpr auto ys = interior_rows<G>(), xs = interior_columns<G>();
  constexpr std::size_t tiles = (xs.second - xs.first) / std::size_t(blk::MR);
  constexpr std::size_t xa = xs.first, xb = xs.first + tiles * std::size_t(blk::MR);  // implicit columns
  S* ytmp = extra;
  S* ztmp = ytmp + chunk * Out;
  std::size_t* rows = reinterpret_cast<std::size_t*>(ztmp + chunk * Out);
  std::size_t count = 0;
  auto flush = [&] {
    if (count == 0) return;
    Packing::template forward<Act>(col, count, packed, b, ytmp, z ? ztmp : nullptr, tail);
    for (std::size_t q = 0; q < count; ++q) {
      std::copy_n(ytmp + q * Out, Out, y + rows[q] * Out);
      if (z) std::copy_n(ztmp + q * Out, Out, z + rows[q] * Out);
    }
    count = 0;
  };
  auto gather = [&](std::size_t r0, std::size_t r1) {  // output rows [r0, r1) through im2col
    while (r0 < r1) {
      const std::size_t m = std::min(r1 - r0, chunk - count);
      im2col<G>(x, r0, r0 + m, col + count * patch);
      for (std::size_t q = 0; q < m; ++q) rows[count + q] = r0 + q;
      count += m;
      r0 += m;
      if (count == chunk) flush();
    }
  };
  for (std::size_t n = n0; n < n1; ++n)
    for (std::size_t oy = 0; oy < G::out_h; ++oy) {
      const std::size_t row0 = (n * G::out_h + oy) * G::out_w;
      if (oy < ys.first || oy >= ys.second) {
        gather(row0, row0 + G::out_w);
        continue;
      }
      gather(row0, row0 + xa);
      gather(row0 + xb, row0 + G::out_w);
      for (std::size_t p = 0; p < blk::panels; ++p)
        forward_interior_tiles<G, Out, Act, S, blk::MR, blk::NV, blk::NR>(x, n, oy, xa, tiles, packed + p * Packing::panel_stride,
                                                                          p * blk::NR, b, y, z);
    }
  flush();
}

}  // namespace conv_detail

/// y = Act(conv(x, W) + b) (and z = the pre-activation when z is not null); x: batch × (H·W·C),
/// y, z: batch × (OH·OW·Out), NHWC. W: Out × patch (PyTorch's [Out, C, K, K]).
/// W is packed once per call (not once per chunk): with chunks of ~100 rows, packing per chunk
/// measured ~30% of the time on a 64→64 layer.
template <class G, std::size_t Out, class Act, class S>
void conv2d_forward(const S* x, std::size_t batch, const S* w, const S* b, S* y, S* z, workspace& ws) {
  using namespace conv_detail;
  constexpr std::size_t patch = G::patch, chunk = chunk_rows<G>(chunk_elems);
  if (batch == 0) return;
  if constexpr (G::pointwise || Out < 4) {
    if constexpr (G::pointwise) {
      dense_forward<patch, Out, Act>(x, batch * G::pixels, w, b, y, z, ws);
    } else {  // a 1-3 channel output: the dot-product path of dense_forward, per chunk
      const std::size_t groups = groups_for(batch);
      const int threads = detail::threads_for(2.0 * double(batch * G::pixels * patch * Out), groups, ctnn::num_threads());
      ws.reserve_nested(threads);
      constexpr std::size_t wsize = (Out * patch + 15) / 16 * 16;
      S* wt = ws.scratch<S>(wsize + std::size_t(threads) * chunk * patch);
      permute_weights<G, Out>(w, wt);
      S* cols = wt + wsize;
      for_groups(batch, groups, threads, [&](int t, std::size_t, std::size_t n0, std::size_t n1) {
        S* col = cols + std::size_t(t) * chunk * patch;
        for (std::size_t r = n0 * G::pixels; r < n1 * G::pixels; r += chunk) {
          const std::size_t re = std::min(r + chunk, n1 * G::pixels);
          im2col<G>(x, r, re, col);
          dense_forward<patch, Out, Act>(col, re - r, wt, b, y + r * Out, z ? z + r * Out : nullptr, ws.nested(t));
        }
      });
    }
  } else {
    using packing = dense_forward_packing<patch, Out, S>;
    constexpr bool implicit = implicit_forward<G, Out, S>();
    constexpr std::size_t per_thread =
        (chunk * patch + packing::tail_size + 15) / 16 * 16 + (implicit ? implicit_scratch<G, Out, S> : 0);
    constexpr std::size_t wsize = (Out * patch + 15) / 16 * 16;
    const std::size_t groups = groups_for(batch);
    const double flops = 2.0 * double(batch * G::pixels) * double(patch) * double(Out);
    const int threads = detail::threads_for(flops, groups, ctnn::num_threads());
    S* packed = ws.scratch<S>(packing::packed_size + std::size_t(threads) * per_thread + wsize);
    S* wt = packed + packing::packed_size + std::size_t(threads) * per_thread;
    permute_weights<G, Out>(w, wt);
    packing::pack(wt, packed);
    for_groups(batch, groups, threads, [&](int t, std::size_t, std::size_t n0, std::size_t n1) {
      S* col = packed + packing::packed_size + std::size_t(t) * per_thread;
      S* tail = col + chunk * patch;
      if constexpr (implicit) {
        forward_implicit<G, Out, Act, packing>(x, n0, n1, packed, b, y, z, col, tail,
                                               col + (chunk * patch + packing::tail_size + 15) / 16 * 16);
        return;
      }
      for (std::size_t r = n0 * G::pixels; r < n1 * G::pixels; r += chunk) {
        const std::size_t re = std::min(r + chunk, n1 * G::pixels);
        im2col<G>(x, r, re, col);
        packing::template forward<Act>(col, re - r, packed, b, y + r * Out, z ? z + r * Out : nullptr, tail);
      }
    });
  }
}

/// dW (+)= Σ_rows dzᵀ·col, db (+)= Σ_rows dz; dz: batch × (OH·OW·Out), x as in forward.
template <class G, std::size_t Out, class S>
void conv2d_backward_weights(const S* dz, const S* x, std::size_t batch, S* dw, S* db, bool accumulate, workspace& ws) {
  using namespace conv_detail;
  constexpr bool transposed = transposed_weight_gradient<G, Out, S>;
  constexpr std::size_t patch = G::patch;
  constexpr std::size_t chunk = chunk_rows<G>(transposed ? transposed_weight_chunk_elems : weight_chunk_elems);
  constexpr std::size_t partial = (patch * Out + Out + 15) / 16 * 16;  // one group's dW then db
  if constexpr (G::pointwise) {
    dense_backward_weights<patch, Out>(dz, x, batch * G::pixels, dw, db, accumulate, ws);
  } else {
    if (batch == 0) {
      if (!accumulate) {
        std::fill(dw, dw + patch * Out, S(0));
        std::fill(db, db + Out, S(0));
      }
      return;
    }
    const std::size_t groups = groups_for(batch);
    const double flops = 2.0 * double(batch * G::pixels) * double(patch) * double(Out);
    const int threads = detail::threads_for(flops, groups, ctnn::num_threads());
    ws.reserve_nested(threads);
    S* cols = ws.scratch<S>(std::size_t(threads) * chunk * patch + groups * partial);
    S* partials = cols + std::size_t(threads) * chunk * patch;
    for_groups(batch, groups, threads, [&](int t, std::size_t g, std::size_t n0, std::size_t n1) {
      S* col = cols + std::size_t(t) * chunk * patch;
      S* pw = partials + g * partial;
      for (std::size_t r = n0 * G::pixels; r < n1 * G::pixels; r += chunk) {
        const std::size_t re = std::min(r + chunk, n1 * G::pixels);
        const bool more = r != n0 * G::pixels;
        im2col<G>(x, r, re, col);
        if constexpr (transposed) {
          // dWᵀ[patch][Out] (+)= colᵀ·dz: the dense weight gradient with the roles swapped.
          dense_backward_weights<Out, patch>(col, dz + r * Out, re - r, pw, static_cast<S*>(nullptr), more,
                                             ws.nested(t));
          detail::bias_gradient<Out>(dz + r * Out, re - r, pw + patch * Out, more);
        } else {
          dense_backward_weights<patch, Out>(dz + r * Out, col, re - r, pw, pw + patch * Out, more, ws.nested(t));
        }
      }
    });
    // Σ over groups in group order (deterministic) into the first partial, then to PyTorch's
    // weight order: from [Out][tap·C + c] (or its transpose) to [Out][c·K² + tap].
    // Split over the threads by element (each element's sum still runs in group order).
    const std::size_t n = patch * Out;
    parallel_chunks(threads, [&](int c, int cs) {
      const auto [lo, hi] = detail::chunk_range(n + Out, c, cs);
      for (std::size_t g = 1; g < groups; ++g) {
        const S* pw = partials + g * partial;
        for (std::size_t i = lo; i < hi; ++i) partials[i] += pw[i];
      }
    });
    for (std::size_t o = 0; o < Out; ++o)
      for (std::size_t c = 0; c < G::channels; ++c)
        for (std::size_t t = 0; t < G::taps; ++t) {
          const std::size_t k = t * G::channels + c;
          const S v = transposed ? partials[k * Out + o] : partials[o * patch + k];
          S& d = dw[o * patch + c * G::taps + t];
          d = accumulate ? d + v : v;
        }
    for (std::size_t o = 0; o < Out; ++o) db[o] = accumulate ? db[o] + partials[n + o] : partials[n + o];
  }
}

/// dx = the input gradient of conv (dz: batch × (OH·OW·Out) → dx: batch × (H·W·C), overwritten).
/// W is packed once per call, as in conv2d_forward.
template <class G, std::size_t Out, class S>
void conv2d_backward_input(const S* dz, std::size_t batch, const S* w, S* dx, workspace& ws) {
  using namespace conv_detail;
  constexpr std::size_t patch = G::patch, chunk = chunk_rows<G>(chunk_elems);
  if (batch == 0) return;
  if constexpr (G::pointwise) {
    dense_backward_input<patch, Out, identity>(dz, batch * G::pixels, w, static_cast<const S*>(nullptr), dx, ws);
  } else {
    using packing = dense_backward_input_packing<patch, Out, S>;
    constexpr std::size_t per_thread = (chunk * patch + packing::tail_size + 15) / 16 * 16;
    constexpr std::size_t wsize = (Out * patch + 15) / 16 * 16;
    const std::size_t groups = groups_for(batch);
    const double flops = 2.0 * double(batch * G::pixels) * double(patch) * double(Out);
    const int threads = detail::threads_for(flops, groups, ctnn::num_threads());
    S* packed = ws.scratch<S>(packing::packed_size + std::size_t(threads) * per_thread + wsize);
    S* wt = packed + packing::packed_size + std::size_t(threads) * per_thread;
    permute_weights<G, Out>(w, wt);
    packing::pack(wt, packed);
    for_groups(batch, groups, threads, [&](int t, std::size_t, std::size_t n0, std::size_t n1) {
      S* col = packed + packing::packed_size + std::size_t(t) * per_thread;
      S* tail = col + chunk * patch;
      std::fill(dx + n0 * G::in_size, dx + n1 * G::in_size, S(0));
      for (std::size_t r = n0 * G::pixels; r < n1 * G::pixels; r += chunk) {
        const std::size_t re = std::min(r + chunk, n1 * G::pixels);
        packing::template backward<identity>(dz + r * Out, re - r, packed, static_cast<const S*>(nullptr), col, tail);
        col2im_add<G>(col, r, re, dx);
      }
    });
  }
}

}  // namespace ctnn::kernels
