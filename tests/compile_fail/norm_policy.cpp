// A type passed as a Norm policy that is not one.
// expect: constraint failure for
// expect: struct ctnn::dense
// expect: NormPolicy<Norm>[^[]*\[with Norm = ctnn::init::zeros\]
#include <ctnn/ctnn.hpp>
#ifdef CTNN_COMPILE_FAIL
using net = ctnn::sequential<ctnn::input<4>, ctnn::dense<3, ctnn::init::xavier_uniform<>, ctnn::init::zeros>>;
#else
using net = ctnn::sequential<ctnn::input<4>, ctnn::dense<3, ctnn::init::xavier_uniform<>, ctnn::norm::none>>;
#endif
int main() { ctnn::model<net> m; }
