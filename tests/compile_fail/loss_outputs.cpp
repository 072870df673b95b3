// softmax_cross_entropy on a network with one output: the softmax of one value is 1, so the loss
// and its gradient were 0 whatever the data, and fit reported accuracy 1.
// expect: the network has fewer outputs than the loss needs
// expect: expect_outputs<2, 1>
#include <ctnn/ctnn.hpp>
#ifdef CTNN_COMPILE_FAIL
constexpr std::size_t outputs = 1;
#else
constexpr std::size_t outputs = 2;
#endif
using net = ctnn::sequential<ctnn::input<4>, ctnn::dense<8>, ctnn::relu, ctnn::dense<outputs>>;
int main() {
  ctnn::model<net> m;
  const ctnn::data::labeled_dataset d = ctnn::data::make_labeled(xt::ones<float>({std::size_t{4}, std::size_t{4}}),
                                                                 xt::zeros<std::int32_t>({std::size_t{4}}), 2);
  ctnn::fit(m, ctnn::loss::softmax_cross_entropy{}, ctnn::optim::sgd{.lr = 0.1f}, d,
            {.progress = ctnn::progress_mode::quiet});
}
