// A 5×5 kernel over a 3×3 image without padding (the window is larger than the padded input).
// expect: expect_kernel_fits<3, 5, 0>
// expect: the kernel is larger than its padded input
#include <ctnn/ctnn.hpp>
#ifdef CTNN_COMPILE_FAIL
using net = ctnn::sequential<ctnn::input<1, 6, 6>, ctnn::conv2d<4, 3, 2, 1>, ctnn::conv2d<4, 5>, ctnn::flatten, ctnn::dense<2>>;
#else
using net = ctnn::sequential<ctnn::input<1, 6, 6>, ctnn::conv2d<4, 3, 2, 1>, ctnn::conv2d<4, 3>, ctnn::flatten, ctnn::dense<2>>;
#endif
int main() { ctnn::model<net> m; }
