#pragma once
// im2col / col2im over NHWC images, for a range of output rows of a batch.
//
// Output row r = (n·OH + oy)·OW + ox (one output pixel of sample n). Its im2col row holds the
// patch under that pixel's window in PyTorch's weight order,
//   col[r][c·K² + i·K + j] = x[n, oy·S − P + i, ox·S − P + j, c]   (0 outside the image),
// so that z[r][o] = b[o] + Σ_k col[r][k] · W[o][k] is the convolution, with W as PyTorch stores it.
// col2im_add is its transpose: dx[n, iy, ix, c] += dcol[r][c·K² + i·K + j] over the same pairs.
#include <algorithm>
#include <cstddef>
#include <ctnn/kernels/conv_geometry.hpp>

namespace ctnn::kernels {

/// col (rows r0..r1, row-major, patch wide) ← the windows of x (NHWC, whole batch).
template <class G, class S>
void im2col(const S* x, std::size_t r0, std::size_t r1, S* col) {
  constexpr std::size_t C = G::channels, H = G::height, W = G::width, K = G::kernel, KK = G::taps;
  for (std::size_t r = r0; r < r1; ++r) {
    const std::size_t n = r / G::pixels, pix = r % G::pixels;
    const std::size_t oy = pix / G::out_w, ox = pix % G::out_w;
    S* row = col + (r - r0) * G::patch;
    const S* xs = x + n * G::in_size;
    for (std::size_t i = 0; i < K; ++i) {
      const std::ptrdiff_t iy = std::ptrdiff_t(oy * G::stride + i) - std::ptrdiff_t(G::padding);
      for (std::size_t j = 0; j < K; ++j) {
        const std::ptrdiff_t ix = std::ptrdiff_t(ox * G::stride + j) - std::ptrdiff_t(G::padding);
        S* dst = row + i * K + j;
        if (iy < 0 || iy >= std::ptrdiff_t(H) || ix < 0 || ix >= std::ptrdiff_t(W)) {
          for (std::size_t c = 0; c < C; ++c) dst[c * KK] = S(0);
        } else {
          const S* src = xs + (std::size_t(iy) * W + std::size_t(ix)) * C;
          for (std::size_t c = 0; c < C; ++c) dst[c * KK] = src[c];
        }
      }
    }
  }
}

/// dx (NHWC, whole batch) += the transpose of im2col applied to dcol (rows r0..r1).
template <class G, class S>
void col2im_add(const S* dcol, std::size_t r0, std::size_t r1, S* dx) {
  constexpr std::size_t C = G::channels, H = G::height, W = G::width, K = G::kernel, KK = G::taps;
  for (std::size_t r = r0; r < r1; ++r) {
    const std::size_t n = r / G::pixels, pix = r % G::pixels;
    const std::size_t oy = pix / G::out_w, ox = pix % G::out_w;
    const S* row = dcol + (r - r0) * G::patch;
    S* xs = dx + n * G::in_size;
    for (std::size_t i = 0; i < K; ++i) {
      const std::ptrdiff_t iy = std::ptrdiff_t(oy * G::stride + i) - std::ptrdiff_t(G::padding);
      if (iy < 0 || iy >= std::ptrdiff_t(H)) continue;
      for (std::size_t j = 0; j < K; ++j) {
        const std::ptrdiff_t ix = std::ptrdiff_t(ox * G::stride + j) - std::ptrdiff_t(G::padding);
        if (ix < 0 || ix >= std::ptrdiff_t(W)) continue;
        const S* src = row + i * K + j;
        S* dst = xs + (std::size_t(iy) * W + std::size_t(ix)) * C;
        for (std::size_t c = 0; c < C; ++c) dst[c] += src[c * KK];
      }
    }
  }
}

}  // namespace ctnn::kernels
