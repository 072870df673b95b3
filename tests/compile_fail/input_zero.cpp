// An input with a zero size: it compiled into a network of empty weights (input is only
// pattern-matched, so its own check never ran).
// expect: ctnn::input<C, H, W>: every size must be positive
// expect: input<0, 28, 28>
#include <ctnn/ctnn.hpp>
#ifdef CTNN_COMPILE_FAIL
constexpr std::size_t channels = 0;
#else
constexpr std::size_t channels = 1;
#endif
using net = ctnn::sequential<ctnn::input<channels, 28, 28>, ctnn::conv2d<8, 3>, ctnn::flatten, ctnn::dense<10>>;
int main() {
  ctnn::model<net> m;
  return static_cast<int>(m.parameter_count) > 0 ? 0 : 1;
}
