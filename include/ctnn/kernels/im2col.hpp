#pragma once
// im2col / col2im over NHWC images, for a range of output rows of a batch.
//
// Output row r = (n·OH + oy)·OW + ox (one output pixel of sample n). Its im2col row holds the
// patch under that pixel's window in channels-last tap order,
//   col[r][(i·K + j)·C + c] = x[n, oy·S − P + i, ox·S − P + j, c]   (0 outside the image),
// so that for one kernel row i the K·C values are ONE contiguous run of the NHWC input (the
// pixels ox·S − P + j, j = 0..K−1, are neighbours whatever the stride): a copy, not a gather.
// The weights are permuted to the same order (permute_weights) before the GEMM, so
// z[r][o] = b[o] + Σ_k col[r][k] · W'[o][k] is the convolution with W as PyTorch stores it.
// Measured on a 32→64 3×3 layer: the gather in PyTorch's (c, i, j) order took 33% of the forward,
// the copies 9%.
// col2im_add is the transpose: dx[n, iy, ix, c] += dcol[r][(i·K + j)·C + c] over the same pairs.
#include <algorithm>
#include <cstddef>
#include <utility>
#include <ctnn/kernels/conv_geometry.hpp>

namespace ctnn::kernels {

/// W'[o][(i·K + j)·C + c] = W[o][(c·K + i)·K + j]: PyTorch's order to the im2col tap order (and
/// back with ToPyTorch).
template <class G, std::size_t Out, bool ToPyTorch = false, class S>
void permute_weights(const S* from, S* to) {
  constexpr std::size_t C = G::channels, KK = G::taps;
  for (std::size_t o = 0; o < Out; ++o)
    for (std::size_t c = 0; c < C; ++c)
      for (std::size_t t = 0; t < KK; ++t) {
        const std::size_t torch = o * G::patch + c * KK + t, tap = o * G::patch + t * C + c;
        if constexpr (ToPyTorch) to[torch] = from[tap];
        else to[tap] = from[torch];
      }
}

/// The in-image part [j0, j1) of kernel columns for output column ox.
template <class G>
constexpr std::pair<std::size_t, std::size_t> valid_columns(std::size_t ox) {
  const std::ptrdiff_t start = std::ptrdiff_t(ox * G::stride) - std::ptrdiff_t(G::padding);
  const std::ptrdiff_t j0 = std::max<std::ptrdiff_t>(0, -start);
  const std::ptrdiff_t j1 = std::min<std::ptrdiff_t>(std::ptrdiff_t(G::kernel), std::ptrdiff_t(G::width) - start);
  return {std::size_t(j0), std::size_t(std::max(j0, j1))};
}

/// col (rows r0..r1, row-major, patch wide) ← the windows of x (NHWC, whole batch).
template <class G, class S>
void im2col(const S* x, std::size_t r0, std::size_t r1, S* col) {
  constexpr std::size_t C = G::channels, H = G::height, W = G::width, K = G::kernel, KC = K * C;
  for (std::size_t r = r0; r < r1; ++r) {
    const std::size_t n = r / G::pixels, pix = r % G::pixels;
    const std::size_t oy = pix / G::out_w, ox = pix % G::out_w;
    S* row = col + (r - r0) * G::patch;
    const S* xs = x + n * G::in_size;
    const auto [j0, j1] = valid_columns<G>(ox);
    const std::ptrdiff_t x0 = std::ptrdiff_t(ox * G::stride) - std::ptrdiff_t(G::padding);
    for (std::size_t i = 0; i < K; ++i) {
      const std::ptrdiff_t iy = std::ptrdiff_t(oy * G::stride + i) - std::ptrdiff_t(G::padding);
      S* dst = row + i * KC;
      if (iy < 0 || iy >= std::ptrdiff_t(H)) {
        std::fill(dst, dst + KC, S(0));
        continue;
      }
      if constexpr (KC <= 32) {
        // Short runs (a first layer: C = 1): fully unrolled selects beat three library calls.
        const S* src = xs + std::size_t(iy) * W * C;
        for (std::size_t j = 0; j < K; ++j) {
          const std::ptrdiff_t ix = x0 + std::ptrdiff_t(j);
          const bool in = ix >= 0 && ix < std::ptrdiff_t(W);
          for (std::size_t c = 0; c < C; ++c) dst[j * C + c] = in ? src[std::size_t(in ? ix : 0) * C + c] : S(0);
        }
        continue;
      }
      std::fill(dst, dst + j0 * C, S(0));
      const S* src = xs + (std::size_t(iy) * W + std::size_t(x0 + std::ptrdiff_t(j0))) * C;
      std::copy(src, src + (j1 - j0) * C, dst + j0 * C);
      std::fill(dst + j1 * C, dst + KC, S(0));
    }
  }
}

/// dx (NHWC, whole batch) += the transpose of im2col applied to dcol (rows r0..r1).
template <class G, class S>
void col2im_add(const S* dcol, std::size_t r0, std::size_t r1, S* dx) {
  constexpr std::size_t C = G::channels, H = G::height, W = G::width, K = G::kernel, KC = K * C;
  for (std::size_t r = r0; r < r1; ++r) {
    const std::size_t n = r / G::pixels, pix = r % G::pixels;
    const std::size_t oy = pix / G::out_w, ox = pix % G::out_w;
    const S* row = dcol + (r - r0) * G::patch;
    S* xs = dx + n * G::in_size;
    const auto [j0, j1] = valid_columns<G>(ox);
    const std::ptrdiff_t x0 = std::ptrdiff_t(ox * G::stride) - std::ptrdiff_t(G::padding);
    for (std::size_t i = 0; i < K; ++i) {
      const std::ptrdiff_t iy = std::ptrdiff_t(oy * G::stride + i) - std::ptrdiff_t(G::padding);
      if (iy < 0 || iy >= std::ptrdiff_t(H)) continue;
      const S* src = row + i * KC + j0 * C;
      S* dst = xs + (std::size_t(iy) * W + std::size_t(x0 + std::ptrdiff_t(j0))) * C;
      const std::size_t len = (j1 - j0) * C;
      for (std::size_t k = 0; k < len; ++k) dst[k] += src[k];
    }
  }
}

}  // namespace ctnn::kernels
