// A pooling window of 0: the layer's own error, then (before) 5 more from the window geometry's
// division by the stride.
// expect: ctnn::max_pool2d<Kernel, Stride, Padding>: Kernel and Stride must be positive
// expect: max_pool2d<0, 0, 0>
#include <ctnn/ctnn.hpp>
#ifdef CTNN_COMPILE_FAIL
constexpr std::size_t window = 0;
#else
constexpr std::size_t window = 2;
#endif
using net = ctnn::sequential<ctnn::input<1, 8, 8>, ctnn::conv2d<4, 3, 1, 1>, ctnn::relu, ctnn::max_pool2d<window>,
                             ctnn::flatten, ctnn::dense<2>>;
int main() {
  ctnn::model<net> m;
  return static_cast<int>(m.parameter_count) > 0 ? 0 : 1;
}
