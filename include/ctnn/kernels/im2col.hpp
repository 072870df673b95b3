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
#include <type_traits>
#include <utility>
#include <ctnn/kernels/gemm_microkernel.hpp>
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

/// The kernel taps [t0, t1) of output position o, along an axis of Size inputs, that fall inside
/// the image (not in the padding).
template <class G, std::size_t Size>
constexpr std::pair<std::size_t, std::size_t> valid_taps(std::size_t o) {
  const std::ptrdiff_t start = std::ptrdiff_t(o * G::stride) - std::ptrdiff_t(G::padding);
  const std::ptrdiff_t t0 = std::max<std::ptrdiff_t>(0, -start);
  const std::ptrdiff_t t1 = std::min<std::ptrdiff_t>(std::ptrdiff_t(G::kernel), std::ptrdiff_t(Size) - start);
  return {std::size_t(t0), std::size_t(std::max(t0, t1))};
}
/// The in-image part [j0, j1) of kernel columns for output column ox.
template <class G>
constexpr std::pair<std::size_t, std::size_t> valid_columns(std::size_t ox) {
  return valid_taps<G, G::width>(ox);
}
/// The in-image part [i0, i1) of kernel rows for output row oy.
template <class G>
constexpr std::pair<std::size_t, std::size_t> valid_kernel_rows(std::size_t oy) {
  return valid_taps<G, G::height>(oy);
}

/// Output positions [lo, hi) along one axis (input Size, output OutSize) whose window lies inside
/// the image: o·S − P ≥ 0 and o·S − P + K ≤ Size.
template <std::size_t Size, std::size_t OutSize, std::size_t K, std::size_t S, std::size_t P>
constexpr std::pair<std::size_t, std::size_t> interior_range() {
  const std::size_t lo = std::min((P + S - 1) / S, OutSize);
  const std::size_t hi = Size + P >= K ? std::min((Size + P - K) / S + 1, OutSize) : 0;
  return {lo, std::max(lo, hi)};
}
/// Output columns whose whole window lies inside the image along x: no padding to write, one run
/// of K·C values per kernel row.
template <class G>
constexpr std::pair<std::size_t, std::size_t> interior_columns() {
  return interior_range<G::width, G::out_w, G::kernel, G::stride, G::padding>();
}
/// Output rows whose whole window lies inside the image along y.
template <class G>
constexpr std::pair<std::size_t, std::size_t> interior_rows() {
  return interior_range<G::height, G::out_h, G::kernel, G::stride, G::padding>();
}

/// Calls row(r, n, oy, ox) for r in [r0, r1), one output image row (n, oy) at a time, so the
/// divisions by the image shape run once per image row, not once per output pixel.
template <class G, class Row>
CTNN_KERNEL_INLINE void for_output_rows(std::size_t r0, std::size_t r1, Row&& row) {
  std::size_t r = r0;
  while (r < r1) {
    const std::size_t n = r / G::pixels, pix = r % G::pixels;
    const std::size_t oy = pix / G::out_w, ox0 = pix % G::out_w;
    const std::size_t ox1 = std::min(G::out_w, ox0 + (r1 - r));
    row(r, n, oy, ox0, ox1);
    r += ox1 - ox0;
  }
}

/// col (rows r0..r1, row-major, patch wide) ← the windows of x (NHWC, whole batch).
/// Per output image row: kernel rows outside the image are zeros; inside, interior output
/// columns copy K·C values (a compile-time length), the border columns fill, copy, fill.
/// Measured on the 1→32 3×3 first layer (C = 1, 9-value rows): per-pixel index arithmetic and
/// selects made im2col as slow as the weight-gradient GEMM it feeds.
template <class G, class S>
void im2col(const S* x, std::size_t r0, std::size_t r1, S* col) {
  constexpr std::size_t C = G::channels, H = G::height, W = G::width, K = G::kernel, KC = K * C;
  constexpr auto interior = interior_columns<G>();
  for_output_rows<G>(r0, r1, [&](std::size_t r, std::size_t n, std::size_t oy, std::size_t ox0, std::size_t ox1) {
    const S* xs = x + n * G::in_size;
    S* first = col + (r - r0) * G::patch;  // the row of output column ox0
    auto row_of = [&](std::size_t ox) { return first + (ox - ox0) * G::patch; };
    for (std::size_t i = 0; i < K; ++i) {
      const std::ptrdiff_t iy = std::ptrdiff_t(oy * G::stride + i) - std::ptrdiff_t(G::padding);
      if (iy < 0 || iy >= std::ptrdiff_t(H)) {
        for (std::size_t ox = ox0; ox < ox1; ++ox) std::fill_n(row_of(ox) + i * KC, KC, S(0));
        continue;
      }
      const S* src_row = xs + std::size_t(iy) * W * C;
      auto border = [&](std::size_t ox) {
        const auto [j0, j1] = valid_columns<G>(ox);
        const std::ptrdiff_t x0 = std::ptrdiff_t(ox * G::stride) - std::ptrdiff_t(G::padding);
        S* dst = row_of(ox) + i * KC;
        std::fill(dst, dst + j0 * C, S(0));
        const S* src = src_row + std::size_t(x0 + std::ptrdiff_t(j0)) * C;
        std::copy(src, src + (j1 - j0) * C, dst + j0 * C);
        std::fill(dst + j1 * C, dst + KC, S(0));
      };
      const std::size_t a = std::clamp(interior.first, ox0, ox1), b = std::clamp(interior.second, a, ox1);
      for (std::size_t ox = ox0; ox < a; ++ox) border(ox);
      for (std::size_t ox = a; ox < b; ++ox) {
        const S* src = src_row + (ox * G::stride - G::padding) * C;
        S* dst = row_of(ox) + i * KC;
        for (std::size_t k = 0; k < KC; ++k) dst[k] = src[k];
      }
      for (std::size_t ox = b; ox < ox1; ++ox) border(ox);
    }
  });
}

/// dx (NHWC, whole batch) += the transpose of im2col applied to dcol (rows r0..r1), in the same
/// row order as before (per output pixel, kernel row, column), so sums are unchanged.
template <class G, class S>
void col2im_add(const S* dcol, std::size_t r0, std::size_t r1, S* dx) {
  constexpr std::size_t C = G::channels, H = G::height, W = G::width, K = G::kernel, KC = K * C;
  constexpr auto interior = interior_columns<G>();
  for_output_rows<G>(r0, r1, [&](std::size_t r, std::size_t n, std::size_t oy, std::size_t ox0, std::size_t ox1) {
    S* xs = dx + n * G::in_size;
    const S* first = dcol + (r - r0) * G::patch;
    const std::size_t a = std::clamp(interior.first, ox0, ox1), b = std::clamp(interior.second, a, ox1);
    auto add = [&](std::size_t ox, auto fixed) {
      const std::ptrdiff_t x0 = std::ptrdiff_t(ox * G::stride) - std::ptrdiff_t(G::padding);
      const auto [j0, j1] = fixed ? std::pair<std::size_t, std::size_t>{0, K} : valid_columns<G>(ox);
      for (std::size_t i = 0; i < K; ++i) {
        const std::ptrdiff_t iy = std::ptrdiff_t(oy * G::stride + i) - std::ptrdiff_t(G::padding);
        if (iy < 0 || iy >= std::ptrdiff_t(H)) continue;
        const S* src = first + (ox - ox0) * G::patch + i * KC + j0 * C;
        S* dst = xs + (std::size_t(iy) * W + std::size_t(x0 + std::ptrdiff_t(j0))) * C;
        if constexpr (decltype(fixed)::value) {
          for (std::size_t k = 0; k < KC; ++k) dst[k] += src[k];
        } else {
          const std::size_t len = (j1 - j0) * C;
          for (std::size_t k = 0; k < len; ++k) dst[k] += src[k];
        }
      }
    };
    for (std::size_t ox = ox0; ox < a; ++ox) add(ox, std::false_type{});
    for (std::size_t ox = a; ox < b; ++ox) add(ox, std::true_type{});
    for (std::size_t ox = b; ox < ox1; ++ox) add(ox, std::false_type{});
  });
}

}  // namespace ctnn::kernels
