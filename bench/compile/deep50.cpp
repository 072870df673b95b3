// Compile-time benchmark: a 50-layer network (49 dense+ReLU pairs written with repeat, then the
// output layer), trained for one step so forward, backward and the optimizer are all instantiated.
#include <vector>
#include <ctnn/ctnn.hpp>

using net = ctnn::sequential<ctnn::input<128>, ctnn::repeat<49, ctnn::dense<128>, ctnn::relu>, ctnn::dense<10>>;

int main() {
  ctnn::model<net> m{ctnn::seed{1}};
  ctnn::trainer tr{m, ctnn::loss::softmax_cross_entropy{}, ctnn::optim::sgd{.lr = 0.01f, .momentum = 0.9f}};
  std::vector<float> x(32 * 128, 0.1f);
  std::vector<std::int32_t> y(32, 1);
  return tr.step(x.data(), y.data(), 32) > 0 ? 0 : 1;
}
