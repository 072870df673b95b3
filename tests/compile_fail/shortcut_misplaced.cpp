// A shortcut anywhere but first in residual<...>: it read as "not a layer", then the block's width
// check failed on the body the shortcut was meant to match.
// expect: ctnn::shortcut<...>: a shortcut is the first argument of a residual block
// expect: expect_shortcut_first<ctnn::shortcut<ctnn::dense<8
#include <ctnn/ctnn.hpp>
#ifdef CTNN_COMPILE_FAIL
using block = ctnn::residual<ctnn::dense<8>, ctnn::relu, ctnn::shortcut<ctnn::dense<8>>>;
#else
using block = ctnn::residual<ctnn::shortcut<ctnn::dense<8>>, ctnn::dense<8>, ctnn::relu>;
#endif
using net = ctnn::sequential<ctnn::input<4>, block, ctnn::dense<2>>;
int main() {
  ctnn::model<net> m;
  return static_cast<int>(m.parameter_count) > 0 ? 0 : 1;
}
