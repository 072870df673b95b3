// A type passed as an Init policy that is not one.
// expect: expect_init_policy<int>
// expect: Init is not an init policy
#include <ctnn/ctnn.hpp>
#ifdef CTNN_COMPILE_FAIL
using net = ctnn::sequential<ctnn::input<4>, ctnn::dense<3, int>>;
#else
using net = ctnn::sequential<ctnn::input<4>, ctnn::dense<3, ctnn::init::xavier_uniform<>>>;
#endif
int main() { ctnn::model<net> m; }
