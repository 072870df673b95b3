// A program that uses ctnn as an installed package would: one training step of a small network.
#include <cstdio>
#include <ctnn/ctnn.hpp>

int main() {
  using net = ctnn::sequential<ctnn::input<4>, ctnn::dense<8>, ctnn::relu, ctnn::dense<3>>;
  ctnn::model<net> m{ctnn::seed{1}};
  const xt::xtensor<float, 2> x = xt::ones<float>({2, 4});
  const xt::xtensor<int, 1> y = {0, 2};
  const auto [loss, grad] = ctnn::value_and_grad(m, ctnn::loss::softmax_cross_entropy{}, x, y);
  std::printf("loss %.4f over %zu parameters\n", static_cast<double>(loss), grad.size());
  return loss > 0 && grad.size() == m.parameters().size() ? 0 : 1;
}
