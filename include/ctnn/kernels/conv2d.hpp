#pragma once
// 2-D convolution over NHWC images on the dense GEMM micro-kernel.
//
// With the batch's output pixels as rows, a convolution IS a dense layer of patch = C·K² inputs
// and Out outputs over batch·OH·OW rows (kernels/im2col.hpp). Each pass reads the input in place
// where it can and falls back to im2col + the dense kernels where it cannot:
//   forward           implicit GEMM: the micro-kernel reads each kernel row's run of K·C values
//                     from x itself, skipping the padding's taps at the border (forward_implicit);
//                     corners and leftovers, and layers with short runs (C = 1), via im2col.
//   input gradient    stride 1: the forward of dz with the kernel flipped and its channel axes
//                     swapped (input_gradient_as_forward); otherwise dense_backward_input into
//                     im2col rows, then col2im.
//   weight gradient   C whole vectors: tap by tap over x in place (weight_gradient_taps); a small
//                     patch (a first layer's 9): dWᵀ and db in one register tile over padded
//                     images (weight_gradient_small_patch); otherwise im2col + dense_backward_weights.
// A 1×1 stride-1 convolution is the dense layer itself: its rows are the input.
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
#include <ctnn/core/simd.hpp>
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

/// One implicit-GEMM tile of the forward, one panel: R output pixels of sample xs, pixel r at
/// (oy + r·dy, ox + r·dx) (LDA = their distance in x: S·C along a row, S·W·C down a column),
/// all with the in-image kernel rows [i0, i1) and columns [j0, j1). For kernel row i, a pixel's
/// in-image patch values are one run of x, (j1 − j0)·C long, from ((oy·S − P + i)·W + ox·S − P +
/// j0)·C, and they multiply the packed panel's rows from (i·K + j0)·C on: the micro-kernel reads
/// A from x in place, one stretch of k per kernel row. The skipped taps are the zeros of the
/// padding, whose fma terms leave the sum as it is (0·w + acc = acc: acc starts at +0 and never
/// becomes −0), so each output is the im2col path's fma chain bit for bit, without the copy.
/// Output rows: row0 + r·out_step.
template <class G, std::size_t Out, class Act, class S, int R, int NV, std::size_t NR, std::size_t LDA>
CTNN_KERNEL_INLINE void forward_window_tile(const S* xs, std::size_t oy, std::size_t ox, std::pair<std::size_t, std::size_t> is,
                                            std::pair<std::size_t, std::size_t> js, const S* panel, std::size_t n0,
                                            const S* b, S* y, S* z, std::size_t row0, std::size_t out_step) {
  constexpr std::size_t C = G::channels, K = G::kernel, L = detail::lanes<S>;
  alignas(64) S ct[R * NV * L];
  detail::vec<S> acc[R][NV];
#pragma GCC unroll 32
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 8
    for (int v = 0; v < NV; ++v) acc[r][v] = detail::vec<S>(S(0));
  const std::size_t len = (js.second - js.first) * C;
  const S* a = xs + (ox * G::stride + js.first - G::padding) * C;
#pragma GCC unroll 1
  for (std::size_t i = is.first; i < is.second; ++i)
    detail::gemm_tile<S, R, NV, LDA, 1, NR, true>(a + (oy * G::stride + i - G::padding) * G::width * C,
                                                  panel + (i * K + js.first) * C * NR, len, acc);
  detail::store_tile<S, R, NV>(acc, ct);
  if (out_step == 1) {
    detail::forward_tile_epilogue<Out, Act, S, NV>(ct, row0, std::size_t(R), n0, b, y, z);
  } else {
    for (std::size_t r = 0; r < std::size_t(R); ++r)
      detail::forward_tile_epilogue<Out, Act, S, NV>(ct + r * NV * L, row0 + r * out_step, 1, n0, b, y, z);
  }
}

/// Per-thread scratch of the implicit forward beyond the im2col chunk and the row tail: the
/// chunk's outputs (y, z) and the output row each chunk row belongs to.
template <class G, std::size_t Out, class S>
inline constexpr std::size_t implicit_scratch =
    (2 * chunk_rows<G>(chunk_elems) * Out + (chunk_rows<G>(chunk_elems) * sizeof(std::size_t) + sizeof(S) - 1) / sizeof(S) +
     15) / 16 * 16;

/// The forward of samples [n0, n1) as implicit-GEMM tiles (forward_window_tile): along each
/// output row, tiles of MR pixels over the columns whose windows lie inside the image along x
/// (in a top or bottom row, without the kernel rows that fall in the padding); then, down each
/// remaining column, tiles of MR pixels over the interior rows (without the padding's kernel
/// columns). What is left (corners, rows or columns short of a tile) goes through im2col + GEMM,
/// gathered into chunks, computed into ytmp/ztmp and copied to their rows. Measured on the
/// CNN's 32→64 layer (1 thread), border columns as tiles instead of im2col: ...
template <class G, std::size_t Out, class Act, class Packing, class S>
void forward_implicit(const S* x, std::size_t n0, std::size_t n1, const S* packed, const S* b, S* y, S* z, S* col,
                      S* tail, S* extra) {
  using blk = typename Packing::blk;
  constexpr std::size_t chunk = chunk_rows<G>(chunk_elems), patch = G::patch, C = G::channels, MR = blk::MR;
  constexpr auto ys = interior_rows<G>(), xs = interior_columns<G>();
  constexpr std::size_t tiles = (xs.second - xs.first) / MR;
  constexpr std::size_t xa = xs.first, xb = xs.first + tiles * MR;  // columns tiled along the rows
  constexpr std::size_t col_tiles = (ys.second - ys.first) / MR;
  constexpr std::size_t ya = ys.first, yb = ys.first + col_tiles * MR;  // rows tiled down the columns
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
  for (std::size_t n = n0; n < n1; ++n) {
    const S* xsn = x + n * G::in_size;
    const std::size_t base = n * G::pixels;
    for (std::size_t oy = 0; oy < G::out_h; ++oy) {
      const std::size_t row0 = base + oy * G::out_w;
      const auto is = valid_kernel_rows<G>(oy);
      for (std::size_t p = 0; p < blk::panels; ++p)
        for (std::size_t t = 0; t < tiles; ++t)
          forward_window_tile<G, Out, Act, S, blk::MR, blk::NV, blk::NR, G::stride * C>(
              xsn, oy, xa + t * MR, is, {0, G::kernel}, packed + p * Packing::panel_stride, p * blk::NR, b, y, z,
              row0 + xa + t * MR, 1);
      if (oy < ya || oy >= yb) {  // a border row, or one short of a column tile: the rest by im2col
        gather(row0, row0 + xa);
        gather(row0 + xb, row0 + G::out_w);
      }
    }
    auto column = [&](std::size_t ox) {
      const auto js = valid_columns<G>(ox);
      for (std::size_t p = 0; p < blk::panels; ++p)
        for (std::size_t t = 0; t < col_tiles; ++t)
          forward_window_tile<G, Out, Act, S, blk::MR, blk::NV, blk::NR, G::stride * G::width * C>(
              xsn, ya + t * MR, ox, {0, G::kernel}, js, packed + p * Packing::panel_stride, p * blk::NR, b, y, z,
              base + (ya + t * MR) * G::out_w + ox, G::out_w);
    };
    for (std::size_t ox = 0; ox < xa; ++ox) column(ox);
    for (std::size_t ox = xb; ox < G::out_w; ++ox) column(ox);
  }
  flush();
}


/// The zero-padded image: (H + 2P) × (W + 2P) pixels of C values, so every window lies inside it.
template <class G>
struct padded_image {
  static constexpr std::size_t height = G::height + 2 * G::padding, width = G::width + 2 * G::padding;
  static constexpr std::size_t size = (height * width * G::channels + 15) / 16 * 16;
};

/// xp ← sample xs with P rows and columns of zeros around it.
template <class G, class S>
void pad_sample(const S* xs, S* xp) {
  using I = padded_image<G>;
  constexpr std::size_t C = G::channels, P = G::padding, rowlen = I::width * C;
  std::fill_n(xp, P * rowlen, S(0));
  for (std::size_t y = 0; y < G::height; ++y) {
    S* d = xp + (P + y) * rowlen;
    std::fill_n(d, P * C, S(0));
    std::copy_n(xs + y * G::width * C, G::width * C, d + P * C);
    std::fill_n(d + (P + G::width) * C, P * C, S(0));
  }
  std::fill_n(xp + (P + G::height) * rowlen, P * rowlen, S(0));
}

/// Vectors of Out per register tile of the small-patch weight gradient (below): the whole
/// dWᵀ column block, patch + 1 rows (the last is db) × NV vectors, stays in ≤ 24 registers.
template <class G, std::size_t Out, class S>
constexpr int small_patch_vectors() {
  constexpr std::size_t nvec = Out / detail::lanes<S>;
  for (std::size_t nv = std::min<std::size_t>(nvec, 4); nv >= 1; --nv)
    if (nvec % nv == 0 && (G::patch + 1) * nv <= 24) return int(nv);
  return 0;
}

/// Whether the transposed weight gradient (a small patch, e.g. a first layer's 1 × 3 × 3) runs
/// over padded images in place with db fused (weight_gradient_small_patch): Out whole vectors,
/// patch + 1 rows fitting one register tile.
template <class G, std::size_t Out, class S>
constexpr bool implicit_small_patch_weight_gradient() {
  if constexpr (G::pointwise || !transposed_weight_gradient<G, Out, S>) {
    return false;
  } else {
    return Out % detail::lanes<S> == 0 && small_patch_vectors<G, Out, S>() > 0;
  }
}

/// One sample's contribution to dWᵀ (patch × Out, then db: Out) for a small patch: for every
/// output pixel, dWᵀ[k][·] (+)= col[pixel][k] · dz[pixel][·] and db (+)= dz[pixel][·], with
/// col[(oy, ox)][k] = xp[(oy·S·Wp + ox·S)·C + off(k)], off(k) = i·Wp·C + (k − i·K·C) for k in
/// kernel row i, a compile-time offset per tile row. One pass over dz, no im2col, no second
/// pass for db; a tile of (patch + 1) × NV vectors stays in registers over the sample.
template <class G, std::size_t Out, class S>
void weight_gradient_small_patch(const S* dzn, const S* xp, S* pw, bool accumulate) {
  using V = detail::vec<S>;
  constexpr std::size_t L = detail::lanes<S>, KC = G::kernel * G::channels, M = G::patch;
  constexpr std::size_t Wp = padded_image<G>::width, C = G::channels;
  constexpr int NV = small_patch_vectors<G, Out, S>();
  for (std::size_t q = 0; q < Out; q += std::size_t(NV) * L) {
    V acc[M + 1][NV];
#pragma GCC unroll 32
    for (std::size_t r = 0; r <= M; ++r)
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v)
        acc[r][v] = accumulate ? V::load_unaligned(pw + r * Out + q + std::size_t(v) * L) : V(S(0));
    for (std::size_t oy = 0; oy < G::out_h; ++oy) {
      const S* row = xp + oy * G::stride * Wp * C;
      const S* d = dzn + oy * G::out_w * Out + q;
      for (std::size_t ox = 0; ox < G::out_w; ++ox) {
        const S* a = row + ox * G::stride * C;
        V bv[NV];
#pragma GCC unroll 4
        for (int v = 0; v < NV; ++v) bv[v] = V::load_unaligned(d + ox * Out + std::size_t(v) * L);
#pragma GCC unroll 32
        for (std::size_t r = 0; r < M; ++r) {
          const V av(a[(r / KC) * Wp * C + r % KC]);
#pragma GCC unroll 4
          for (int v = 0; v < NV; ++v) acc[r][v] = simd::fma(av, bv[v], acc[r][v]);
        }
#pragma GCC unroll 4
        for (int v = 0; v < NV; ++v) acc[M][v] += bv[v];
      }
    }
#pragma GCC unroll 32
    for (std::size_t r = 0; r <= M; ++r)
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) acc[r][v].store_unaligned(pw + r * Out + q + std::size_t(v) * L);
  }
}

/// Vectors of C per dW column panel in the per-tap weight gradient (below): a divisor of C/L, ≤ 4.
template <class G, class S>
constexpr int tap_vectors() {
  constexpr std::size_t nvec = G::channels / detail::lanes<S>;
  return nvec % 4 == 0 ? 4 : nvec % 3 == 0 ? 3 : nvec % 2 == 0 ? 2 : 1;
}

/// Whether the weight gradient runs per kernel tap over x in place (weight_gradient_taps):
/// not transposed, C whole vectors.
template <class G, std::size_t Out, class S>
constexpr bool tap_weight_gradient() {
  if constexpr (G::pointwise || transposed_weight_gradient<G, Out, S>) {
    return false;
  } else {
    return G::channels % detail::lanes<S> == 0;
  }
}

/// One sample's contribution to dW (Out × patch, rows of `patch`), per kernel tap (i, j): the
/// patch columns k = (i·K + j)·C + c, c < C, are x[iy][ix][c] at iy = oy·S − P + i,
/// ix = ox·S − P + j, so for the output pixels whose tap lies inside the image (a range of rows,
/// and in each a range of columns) dW[o][k] (+)= Σ dz[pixel][o] · x[iy][ix][c] reads x in place
/// with B rows S·C apart along an output row: no im2col, no padded copy, and no work on the
/// padding's zeros. An MR × NV·L tile of dW stays in registers over the whole sample.
template <class G, std::size_t Out, class S>
void weight_gradient_taps(const S* dzn, const S* xs, S* pw, bool accumulate) {
  constexpr std::size_t C = G::channels, K = G::kernel, L = detail::lanes<S>;
  // Tile rows: weight_rows, except 8 (not 12) for 2-vector panels. Measured on the 32→64 layer
  // (1 thread, 6 interleaved runs): 3.88-4.02 ms at 8 rows, 4.18-4.49 at 12 (5 tiles and a
  // 4-row tail). For 4-vector panels (the 64→64 layer) 6 rows: 11.4-11.9 ms; 4 rows: 24.6-25.3.
  constexpr int NV = tap_vectors<G, S>(), MR = NV == 2 ? std::min(8, detail::weight_rows<Out>(NV)) : detail::weight_rows<Out>(NV);
  constexpr std::size_t NR = std::size_t(NV) * L;
  constexpr std::size_t full = Out / std::size_t(MR) * std::size_t(MR);
  constexpr int RT = int(Out - full);
  auto range = [](std::size_t t, std::size_t size, std::size_t outs) {  // outputs whose tap t is in [0, size)
    const std::size_t lo = std::min((G::padding > t ? G::padding - t + G::stride - 1 : 0) / G::stride, outs);
    const std::size_t hi = size + G::padding > t ? std::min((size + G::padding - t - 1) / G::stride + 1, outs) : 0;
    return std::pair<std::size_t, std::size_t>{lo, std::max(lo, hi)};
  };
  for (std::size_t i = 0; i < K; ++i) {
    const auto [oy0, oy1] = range(i, G::height, G::out_h);
    for (std::size_t j = 0; j < K; ++j) {
      const auto [ox0, ox1] = range(j, G::width, G::out_w);
      for (std::size_t c0 = 0; c0 < C; c0 += NR) {
        const std::size_t k0 = (i * K + j) * C + c0;
        auto tile = [&]<int R>(std::integral_constant<int, R>, std::size_t o0) {
          S* dst = pw + o0 * G::patch + k0;
          detail::vec<S> acc[R][NV];
#pragma GCC unroll 32
          for (int r = 0; r < R; ++r)
#pragma GCC unroll 8
            for (int v = 0; v < NV; ++v)
              acc[r][v] = accumulate ? detail::vec<S>::load_aligned(dst + std::size_t(r) * G::patch + std::size_t(v) * L)
                                     : detail::vec<S>(S(0));
          if (ox1 > ox0)
            for (std::size_t oy = oy0; oy < oy1; ++oy) {
              const S* b = xs + ((oy * G::stride + i - G::padding) * G::width + ox0 * G::stride + j - G::padding) * C + c0;
              detail::gemm_tile<S, R, NV, 1, Out, G::stride * C, true, false>(dzn + (oy * G::out_w + ox0) * Out + o0, b,
                                                                               ox1 - ox0, acc);
            }
#pragma GCC unroll 32
          for (int r = 0; r < R; ++r)
#pragma GCC unroll 8
            for (int v = 0; v < NV; ++v) acc[r][v].store_aligned(dst + std::size_t(r) * G::patch + std::size_t(v) * L);
        };
        for (std::size_t o0 = 0; o0 < full; o0 += MR) tile(std::integral_constant<int, MR>{}, o0);
        if constexpr (RT > 0) tile(std::integral_constant<int, RT>{}, full);
      }
    }
  }
}

}  // namespace conv_detail

namespace conv_detail {

/// The forward with the weights written by prepare(wt) in im2col tap order (Out × patch, see
/// permute_weights) and b the bias (null: none).
template <class G, std::size_t Out, class Act, class S, class Prepare>
void forward_with(const S* x, std::size_t batch, Prepare&& prepare, const S* b, S* y, S* z, workspace& ws) {
  constexpr std::size_t patch = G::patch, chunk = chunk_rows<G>(chunk_elems);
  constexpr std::size_t wsize = (Out * patch + Out + 15) / 16 * 16;  // the weights, then a zero bias
  if (batch == 0) return;
  if constexpr (Out < 4) {  // a 1-3 channel output: the dot-product path of dense_forward, per chunk
    const std::size_t groups = groups_for(batch);
    const int threads = detail::threads_for(2.0 * double(batch * G::pixels * patch * Out), groups, ctnn::num_threads());
    ws.reserve_nested(threads);
    S* wt = ws.scratch<S>(wsize + std::size_t(threads) * chunk * patch);
    prepare(wt);
    if (!b) b = std::fill_n(wt + Out * patch, Out, S(0)) - Out;
    S* cols = wt + wsize;
    for_groups(batch, groups, threads, [&](int t, std::size_t, std::size_t n0, std::size_t n1) {
      S* col = cols + std::size_t(t) * chunk * patch;
      for (std::size_t r = n0 * G::pixels; r < n1 * G::pixels; r += chunk) {
        const std::size_t re = std::min(r + chunk, n1 * G::pixels);
        im2col<G>(x, r, re, col);
        dense_forward<patch, Out, Act>(col, re - r, wt, b, y + r * Out, z ? z + r * Out : nullptr, ws.nested(t));
      }
    });
  } else {
    using packing = dense_forward_packing<patch, Out, S>;
    constexpr bool implicit = implicit_forward<G, Out, S>();
    constexpr std::size_t per_thread =
        (chunk * patch + packing::tail_size + 15) / 16 * 16 + (implicit ? implicit_scratch<G, Out, S> : 0);
    const std::size_t groups = groups_for(batch);
    const double flops = 2.0 * double(batch * G::pixels) * double(patch) * double(Out);
    const int threads = detail::threads_for(flops, groups, ctnn::num_threads());
    S* packed = ws.scratch<S>(packing::packed_size + std::size_t(threads) * per_thread + wsize);
    S* wt = packed + packing::packed_size + std::size_t(threads) * per_thread;
    prepare(wt);
    if (!b) b = std::fill_n(wt + Out * patch, Out, S(0)) - Out;
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

/// The input gradient of a stride-1 convolution is itself a convolution: dz (OH × OW × Out),
/// padded by K − 1 − P, with the kernel flipped and its channel axes swapped,
///   dx[iy][ix][c] = Σ_{i,j,o} dz[iy + i − (K−1−P)][ix + j − (K−1−P)][o] · W[o][c][K−1−i][K−1−j],
/// which runs as the forward: implicit GEMM over a patch of Out·K² values (a long reduction)
/// with no col2im. Taken where that forward is the implicit one.
template <class G, std::size_t Out>
using input_gradient_geometry = conv_geometry<Out, G::out_h, G::out_w, G::kernel, 1, G::kernel - 1 - G::padding>;

template <class G, std::size_t Out, class S>
constexpr bool input_gradient_as_forward() {
  if constexpr (G::pointwise || G::stride != 1 || G::padding >= G::kernel) {
    return false;
  } else {
    return implicit_forward<input_gradient_geometry<G, Out>, G::channels, S>();
  }
}

}  // namespace conv_detail

/// y = Act(conv(x, W) + b) (and z = the pre-activation when z is not null); x: batch × (H·W·C),
/// y, z: batch × (OH·OW·Out), NHWC. W: Out × patch (PyTorch's [Out, C, K, K]).
/// W is packed once per call (not once per chunk): with chunks of ~100 rows, packing per chunk
/// measured ~30% of the time on a 64→64 layer.
template <class G, std::size_t Out, class Act, class S>
void conv2d_forward(const S* x, std::size_t batch, const S* w, const S* b, S* y, S* z, workspace& ws) {
  if constexpr (G::pointwise) {
    if (batch > 0) dense_forward<G::patch, Out, Act>(x, batch * G::pixels, w, b, y, z, ws);
  } else {
    conv_detail::forward_with<G, Out, Act>(x, batch, [&](S* wt) { permute_weights<G, Out>(w, wt); }, b, y, z, ws);
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
    constexpr bool taps = tap_weight_gradient<G, Out, S>();
    constexpr bool small_patch = implicit_small_patch_weight_gradient<G, Out, S>();
    constexpr std::size_t per_thread = taps ? 0 : small_patch ? padded_image<G>::size : chunk * patch;
    S* cols = ws.scratch<S>(std::size_t(threads) * per_thread + groups * partial);
    S* partials = cols + std::size_t(threads) * per_thread;
    for_groups(batch, groups, threads, [&](int t, std::size_t g, std::size_t n0, std::size_t n1) {
      S* col = cols + std::size_t(t) * per_thread;
      S* pw = partials + g * partial;
      if constexpr (taps) {
        // Measured on the CNN's 32→64 layer against im2col + GEMM: 2.15-2.17 ms vs 2.37-2.54 at
        // 2 threads; at 1 thread within the noise (4.0-4.6 ms both). A zero-padded copy of each
        // sample read in place instead (no tap ranges, the padding's zeros multiplied) measured
        // 2.38 ms at 2 threads.
        for (std::size_t n = n0; n < n1; ++n) {
          weight_gradient_taps<G, Out>(dz + n * G::pixels * Out, x + n * G::in_size, pw, n != n0);
          detail::bias_gradient<Out>(dz + n * G::pixels * Out, G::pixels, pw + patch * Out, n != n0);
        }
        return;
      }
      if constexpr (small_patch) {
        for (std::size_t n = n0; n < n1; ++n) {
          pad_sample<G>(x + n * G::in_size, col);
          weight_gradient_small_patch<G, Out>(dz + n * G::pixels * Out, col, pw, n != n0);
        }
        return;
      }
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
  } else if constexpr (input_gradient_as_forward<G, Out, S>()) {
    // Measured on the CNN's 32→64 layer, 1 thread: 4.33 ms against 4.61 for GEMM + col2im.
    using GT = input_gradient_geometry<G, Out>;
    constexpr std::size_t C = G::channels, taps = G::taps;
    forward_with<GT, C, identity>(dz, batch, [&](S* wt) {
      for (std::size_t c = 0; c < C; ++c)
        for (std::size_t t = 0; t < taps; ++t)
          for (std::size_t o = 0; o < Out; ++o) wt[c * GT::patch + t * Out + o] = w[o * G::patch + c * taps + (taps - 1 - t)];
    }, static_cast<const S*>(nullptr), dx, static_cast<S*>(nullptr), ws);
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
