// A convolution after a feature vector of 784 (input<784> instead of input<1, 28, 28>).
// expect: expect_image_input<784>
// expect: this layer needs an image input
#include <ctnn/ctnn.hpp>
#ifdef CTNN_COMPILE_FAIL
using net = ctnn::sequential<ctnn::input<784>, ctnn::conv2d<8, 3>, ctnn::flatten, ctnn::dense<10>>;
#else
using net = ctnn::sequential<ctnn::input<1, 28, 28>, ctnn::conv2d<8, 3>, ctnn::flatten, ctnn::dense<10>>;
#endif
int main() { ctnn::model<net> m; }
