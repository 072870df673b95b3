// A residual block whose output width (5) differs from its input width (4).
// expect: expect_residual_width<4, 5>
// expect: the block's output width differs from its input width
#include <ctnn/ctnn.hpp>
#ifdef CTNN_COMPILE_FAIL
using net = ctnn::sequential<ctnn::input<4>, ctnn::residual<ctnn::dense<8>, ctnn::relu, ctnn::dense<5>>>;
#else
using net = ctnn::sequential<ctnn::input<4>, ctnn::residual<ctnn::dense<8>, ctnn::relu, ctnn::dense<4>>>;
#endif
int main() { ctnn::model<net> m; }
