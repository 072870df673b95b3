// A compile-time-sized tensor (748 wide) fed to a network whose input is 784 wide.
// expect: expect_input_width<784, 748>
// expect: the tensor's width differs from the network's input<N>
#include <ctnn/ctnn.hpp>
using net = ctnn::sequential<ctnn::input<784>, ctnn::dense<10>>;
#ifdef CTNN_COMPILE_FAIL
constexpr std::size_t width = 748;
#else
constexpr std::size_t width = 784;
#endif
int main() {
  ctnn::model<net> m;
  xt::xtensor_fixed<float, xt::xshape<2, width>> x{};
  auto y = m.predict(x);
  return static_cast<int>(y.size()) == 20 ? 0 : 1;
}
