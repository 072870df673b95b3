// A 3×3 stride-2 window over 28 rows without padding: the last window ends at row 26, the next
// would start at row 26 inside the image, so row 27 would be silently ignored.
// expect: expect_stride_fits<28, 3, 2, 0>
// expect: the stride does not fit
#include <ctnn/ctnn.hpp>
#ifdef CTNN_COMPILE_FAIL
using net = ctnn::sequential<ctnn::input<1, 28, 28>, ctnn::conv2d<8, 3, 2>, ctnn::flatten, ctnn::dense<10>>;
#else
using net = ctnn::sequential<ctnn::input<1, 28, 28>, ctnn::conv2d<8, 3, 2, 1>, ctnn::flatten, ctnn::dense<10>>;
#endif
int main() { ctnn::model<net> m; }
