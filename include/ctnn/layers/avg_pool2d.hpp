#pragma once
// avg_pool2d<Kernel, Stride = Kernel, Padding = 0>: y = the mean of the Kernel×Kernel window,
// padding counted as zeros (PyTorch's count_include_pad=True): y = Σ window / Kernel².
// Backward: each input in a window receives dy / Kernel². Same shape checks as conv2d.
#include <cstddef>

namespace ctnn {

template <std::size_t Kernel, std::size_t Stride = Kernel, std::size_t Padding = 0>
struct avg_pool2d {
  static_assert(Kernel > 0 && Stride > 0, "ctnn::avg_pool2d<Kernel, Stride, Padding>: Kernel and Stride must be positive");
  static_assert(2 * Padding <= Kernel, "ctnn::avg_pool2d<Kernel, Stride, Padding>: Padding must be at most Kernel / 2 (as PyTorch)");
  static constexpr std::size_t kernel = Kernel, stride = Stride, padding = Padding;
};

}  // namespace ctnn
