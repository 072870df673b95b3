// A type passed as a Norm policy that is not one.
// expect: expect_norm_policy<ctnn::init::zeros>
// expect: Norm is not a norm policy
#include <ctnn/ctnn.hpp>
#ifdef CTNN_COMPILE_FAIL
using net = ctnn::sequential<ctnn::input<4>, ctnn::dense<3, ctnn::init::xavier_uniform<>, ctnn::init::zeros>, ctnn::relu>;
#else
using net = ctnn::sequential<ctnn::input<4>, ctnn::dense<3, ctnn::init::xavier_uniform<>, ctnn::norm::none>, ctnn::relu>;
#endif
int main() { ctnn::model<net> m; }
