#pragma once
// input<N>: the first element of every network: N features per sample.
// input<C, H, W>: images of C channels, H×W pixels, given in PyTorch's NCHW order (a sample is
// C·H·W values, channel-major); Fashion-MNIST is input<1, 28, 28>. The batch is a run-time size.
#include <cstddef>
#include <ctnn/graph/feature_shape.hpp>

namespace ctnn {

template <std::size_t Channels, std::size_t Height = 1, std::size_t Width = 1>
struct input {
  static_assert(Channels > 0 && Height > 0 && Width > 0, "ctnn::input<C, H, W>: every size must be positive");
  static constexpr std::size_t features = Channels * Height * Width;
  static constexpr feature_shape shape{Channels, Height, Width};
};

}  // namespace ctnn
