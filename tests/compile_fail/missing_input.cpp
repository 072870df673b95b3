// A sequential that does not start with an input.
// expect: expect_input_first<ctnn::dense<10
// expect: a network must start with ctnn::input<N>
#include <ctnn/ctnn.hpp>
#ifdef CTNN_COMPILE_FAIL
using net = ctnn::sequential<ctnn::dense<10>, ctnn::relu, ctnn::dense<3>>;
#else
using net = ctnn::sequential<ctnn::input<5>, ctnn::dense<10>, ctnn::relu, ctnn::dense<3>>;
#endif
int main() { ctnn::model<net> m; }
