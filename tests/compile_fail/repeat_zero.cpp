// repeat<0, ...>: the repeated layers silently vanished from the network.
// expect: ctnn::repeat<K, ...>: K must be positive
// expect: repeat<0, ctnn::dense<8
#include <ctnn/ctnn.hpp>
#ifdef CTNN_COMPILE_FAIL
constexpr std::size_t copies = 0;
#else
constexpr std::size_t copies = 2;
#endif
using net = ctnn::sequential<ctnn::input<4>, ctnn::repeat<copies, ctnn::dense<8>, ctnn::relu>, ctnn::dense<2>>;
int main() {
  ctnn::model<net> m;
  return static_cast<int>(m.parameter_count) > 0 ? 0 : 1;
}
