// Compile-time benchmark, worst case: 50 dense layers of 50 different widths, so no two layers
// share a kernel instantiation (repeat<> of one width shares them all).
#include <utility>
#include <vector>
#include <ctnn/ctnn.hpp>

template <std::size_t... I>
auto make_net(std::index_sequence<I...>)
    -> ctnn::sequential<ctnn::input<64>, ctnn::dense<64 + I>..., ctnn::dense<10>>;
using net = decltype(make_net(std::make_index_sequence<49>{}));

int main() {
  ctnn::model<net> m{ctnn::seed{1}};
  ctnn::trainer tr{m, ctnn::loss::softmax_cross_entropy{}, ctnn::optim::sgd{.lr = 0.01f, .momentum = 0.9f}};
  std::vector<float> x(32 * 64, 0.1f);
  std::vector<std::int32_t> y(32, 1);
  return tr.step(x.data(), y.data(), 32) > 0 ? 0 : 1;
}
