// dense<0>: its error once (the layer with the library's default policies filled in was another
// type, and repeated it).
// expect: ctnn::dense<Out>: Out must be positive
// expect: dense<0>
#include <ctnn/ctnn.hpp>
#ifdef CTNN_COMPILE_FAIL
constexpr std::size_t width = 0;
#else
constexpr std::size_t width = 8;
#endif
using net = ctnn::sequential<ctnn::input<4>, ctnn::dense<width>, ctnn::relu, ctnn::dense<2>>;
int main() {
  ctnn::model<net> m;
  return static_cast<int>(m.parameter_count) > 0 ? 0 : 1;
}
