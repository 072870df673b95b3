// A dense layer right after an 8×26×26 image: a flatten is missing.
// expect: expect_flat_input<8, 26, 26>
// expect: put ctnn::flatten before the dense layer
#include <ctnn/ctnn.hpp>
#ifdef CTNN_COMPILE_FAIL
using net = ctnn::sequential<ctnn::input<1, 28, 28>, ctnn::conv2d<8, 3>, ctnn::relu, ctnn::dense<10>>;
#else
using net = ctnn::sequential<ctnn::input<1, 28, 28>, ctnn::conv2d<8, 3>, ctnn::relu, ctnn::flatten, ctnn::dense<10>>;
#endif
int main() { ctnn::model<net> m; }
