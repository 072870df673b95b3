// A type that is neither an optimizer nor a schedule, given to trainer as its optimizer: g++ printed
// "'double' is not a class, struct, or union type" from inside trainer's members.
// expect: this type is not an optimizer
// expect: expect_optimizer<double, float>
#include <ctnn/ctnn.hpp>
using net = ctnn::sequential<ctnn::input<4>, ctnn::dense<3>>;
int main() {
  ctnn::model<net> m;
  float x[8] = {};
  std::int32_t y[2] = {};
#ifdef CTNN_COMPILE_FAIL
  ctnn::trainer tr{m, ctnn::loss::softmax_cross_entropy{}, 0.1};
#else
  ctnn::trainer tr{m, ctnn::loss::softmax_cross_entropy{}, ctnn::optim::sgd{.lr = 0.1f}};
#endif
  return tr.step(x, y, 2) > 0 ? 0 : 1;
}
