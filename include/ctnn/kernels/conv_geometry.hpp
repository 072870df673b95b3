#pragma once
// conv_geometry: the compile-time sizes of one 2-D convolution or pooling window over an NHWC
// image of C channels, H×W pixels: kernel K×K, stride S, zero padding P.
//   output OH = (H + 2P − K)/S + 1 (rounded down, as PyTorch), OW likewise;
//   patch  = C·K²: one im2col row, in PyTorch's weight order (channel, kernel row, kernel column).
#include <cstddef>

namespace ctnn::kernels {

template <std::size_t C, std::size_t H, std::size_t W, std::size_t K, std::size_t S, std::size_t P>
struct conv_geometry {
  static_assert(K <= H + 2 * P && K <= W + 2 * P, "conv_geometry: the kernel is larger than the padded input");
  static constexpr std::size_t channels = C, height = H, width = W, kernel = K, stride = S, padding = P;
  static constexpr std::size_t out_h = (H + 2 * P - K) / S + 1, out_w = (W + 2 * P - K) / S + 1;
  static constexpr std::size_t pixels = out_h * out_w;      ///< output pixels per sample
  static constexpr std::size_t in_size = C * H * W;         ///< input values per sample
  static constexpr std::size_t taps = K * K;
  static constexpr std::size_t patch = C * taps;            ///< im2col row length
  /// A 1×1, stride-1, unpadded convolution: its im2col matrix is the input itself.
  static constexpr bool pointwise = K == 1 && S == 1 && P == 0;
};

}  // namespace ctnn::kernels
