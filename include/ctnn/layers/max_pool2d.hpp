#pragma once
// max_pool2d<Kernel, Stride = Kernel, Padding = 0>: y[n, c, y, x] = max over the Kernel×Kernel
// window at (y·S − P, x·S − P) of x[n, c, ·, ·]; padding never wins (PyTorch's -inf padding).
// Backward: the gradient goes to the window's maximum (the first one in row-major window order
// on ties, as PyTorch). Same shape checks as conv2d.
#include <cstddef>

namespace ctnn {

template <std::size_t Kernel, std::size_t Stride = Kernel, std::size_t Padding = 0>
struct max_pool2d {
  static_assert(Kernel > 0 && Stride > 0, "ctnn::max_pool2d<Kernel, Stride, Padding>: Kernel and Stride must be positive");
  static_assert(2 * Padding <= Kernel, "ctnn::max_pool2d<Kernel, Stride, Padding>: Padding must be at most Kernel / 2 (as PyTorch)");
  static constexpr std::size_t kernel = Kernel, stride = Stride, padding = Padding;
};

}  // namespace ctnn
