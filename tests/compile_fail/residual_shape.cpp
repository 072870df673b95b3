// A residual block over a 16×14×14 image whose body halves the size and doubles the channels
// without a projection shortcut.
// expect: expect_residual_shape<16, 14, 14, 32, 7, 7>
// expect: the block changes the shape of its input
#include <ctnn/ctnn.hpp>
using body = ctnn::conv2d<32, 3, 2, 1>;
#ifdef CTNN_COMPILE_FAIL
using block = ctnn::residual<body, ctnn::relu, ctnn::conv2d<32, 3, 1, 1>>;
#else
using block = ctnn::residual<ctnn::shortcut<ctnn::conv2d<32, 1, 2>>, body, ctnn::relu, ctnn::conv2d<32, 3, 1, 1>>;
#endif
using net = ctnn::sequential<ctnn::input<1, 28, 28>, ctnn::conv2d<16, 3, 2, 1>, block, ctnn::global_avg_pool, ctnn::dense<10>>;
int main() { ctnn::model<net> m; }
