// mse trained on integer class labels (a labeled_dataset): g++ printed "no matching function for
// call to 'ctnn::loss::mse::value_and_grad(const float*&, const int*&, ...)'".
// expect: this loss \(mse\) takes real-valued targets
// expect: expect_real_targets<int>
#include <ctnn/ctnn.hpp>
using net = ctnn::sequential<ctnn::input<4>, ctnn::dense<3>>;
int main() {
  ctnn::model<net> m;
  const ctnn::data::labeled_dataset d = ctnn::data::make_labeled(xt::ones<float>({std::size_t{4}, std::size_t{4}}),
                                                                 xt::zeros<std::int32_t>({std::size_t{4}}), 3);
#ifdef CTNN_COMPILE_FAIL
  ctnn::fit(m, ctnn::loss::mse{}, ctnn::optim::sgd{.lr = 0.1f}, d, {.progress = ctnn::progress_mode::quiet});
#else
  ctnn::fit(m, ctnn::loss::softmax_cross_entropy{}, ctnn::optim::sgd{.lr = 0.1f}, d,
            {.progress = ctnn::progress_mode::quiet});
#endif
}
