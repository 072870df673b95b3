#pragma once
// conv2d<Out, Kernel, Stride, Padding, Init, Norm>: a 2-D convolution with Out filters of
// Kernel×Kernel over all input channels, zero padding, a bias (PyTorch's nn.Conv2d).
//   z[n, o, y, x] = b[o] + Σ_{c, i, j} W[o, c, i, j] · x_pad[n, c, y·S + i, x·S + j]
// W: [Out, C, K, K] (PyTorch's layout). fan_in = C·K², fan_out = Out·K². Output
// H' = (H + 2P − K)/S + 1 (rounded down, as PyTorch). An activation written right after it is
// fused into its GEMM epilogue; a Norm policy other than none becomes the norm layer after it
// (batch_norm over channels is PyTorch's BatchNorm2d).
// Shape checks (compile errors with the numbers, graph/compile.hpp): the layer needs an image
// input, the kernel must fit the padded input, and the stride must reach the input's last
// row and column (see expect_stride_fits).
#include <cstddef>
#include <ctnn/init/concepts.hpp>
#include <ctnn/init/net_default.hpp>
#include <ctnn/layers/dense.hpp>  // expect_init_policy, expect_norm_policy
#include <ctnn/norm/net_default.hpp>

namespace ctnn {

template <std::size_t Out, std::size_t Kernel, std::size_t Stride = 1, std::size_t Padding = 0,
          class Init = init::net_default, class Norm = norm::net_default>
struct conv2d {
  static_assert(Out > 0, "ctnn::conv2d<Out, Kernel, ...>: Out must be positive");
  static_assert(Kernel > 0, "ctnn::conv2d<Out, Kernel, ...>: Kernel must be positive");
  static_assert(Stride > 0, "ctnn::conv2d<Out, Kernel, Stride, ...>: Stride must be positive");
  static_assert(expect_init_policy<Init>::value && expect_norm_policy<Norm>::value);
  static constexpr bool checked = true;
  static constexpr std::size_t out_channels = Out, kernel = Kernel, stride = Stride, padding = Padding;
  using init_policy = Init;
  using norm_policy = Norm;
};

/// The window (Kernel) must fit the padded input: Kernel ≤ Size + 2·Padding.
template <std::size_t Size, std::size_t Kernel, std::size_t Padding>
struct expect_kernel_fits {
  static_assert(Kernel <= Size + 2 * Padding,
                "ctnn: the kernel is larger than its padded input (arguments: input size, kernel, padding)");
  static constexpr bool value = true;
};

/// The stride must reach the input's last row and column: an error when the last real
/// row lies past the last window while the next window would start inside the input (it would
/// need more padding to exist), so that no input row is silently ignored. A stride larger
/// than the kernel skips rows by design and is fine.
template <std::size_t Size, std::size_t Kernel, std::size_t Stride, std::size_t Padding>
struct expect_stride_fits {
  static constexpr std::size_t outputs = (Size + 2 * Padding - Kernel) / Stride + 1;
  static constexpr std::size_t last_covered = Stride * (outputs - 1) + Kernel - 1;  // in padded coordinates
  static constexpr std::size_t next_start = Stride * outputs;                       // in padded coordinates
  static constexpr bool fits = last_covered >= Size + Padding - 1 || next_start > Size + Padding - 1;
  static_assert(fits,
                "ctnn: the stride does not fit: the last window stops before the input's last row or column "
                "(arguments: input size, kernel, stride, padding; change the padding or the stride)");
  static constexpr bool value = true;
};

/// A layer that works on images (conv2d, pooling) placed after a feature vector.
template <std::size_t Features>
struct expect_image_input {
  static_assert(Features == 0,
                "ctnn: this layer needs an image input (input<C, H, W> or a conv/pool layer before it); "
                "it follows a feature vector of the size shown");
  static constexpr bool value = true;
};

/// A dense layer placed right after an image: PyTorch's Linear would act on the last axis only;
/// ctnn asks for an explicit flatten.
template <std::size_t Channels, std::size_t Height, std::size_t Width>
struct expect_flat_input {
  static_assert(Height * Width == 1,
                "ctnn::dense: the input is an image (arguments: C, H, W); put ctnn::flatten before the dense layer");
  static constexpr bool value = true;
};

}  // namespace ctnn
