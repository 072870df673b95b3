// A type used as a layer that is not one.
// expect: expect_layer<double>
// expect: this type is not a layer
#include <ctnn/ctnn.hpp>
#ifdef CTNN_COMPILE_FAIL
using net = ctnn::sequential<ctnn::input<4>, ctnn::dense<8>, double, ctnn::dense<3>>;
#else
using net = ctnn::sequential<ctnn::input<4>, ctnn::dense<8>, ctnn::tanh, ctnn::dense<3>>;
#endif
int main() { ctnn::model<net> m; }
