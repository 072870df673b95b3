// A schedule where the optimizer goes (an optimizer × schedule grid's lists mixed up): g++ printed
// "no class template named 'state' in 'struct ctnn::sched::cosine'" twice, from trainer and fit,
// with nothing saying what the type is instead.
// expect: this is a learning-rate schedule, not an optimizer
// expect: expect_optimizer<ctnn::sched::cosine, float>
#include <ctnn/ctnn.hpp>
using net = ctnn::sequential<ctnn::input<4>, ctnn::dense<3>>;
int main() {
  ctnn::model<net> m;
  const ctnn::data::labeled_dataset d = ctnn::data::make_labeled(xt::ones<float>({std::size_t{4}, std::size_t{4}}),
                                                                 xt::zeros<std::int32_t>({std::size_t{4}}), 3);
#ifdef CTNN_COMPILE_FAIL
  ctnn::fit(m, ctnn::loss::softmax_cross_entropy{}, ctnn::sched::cosine{.lr = 0.1, .total = 8}, d,
            {.progress = ctnn::progress_mode::quiet});
#else
  ctnn::fit(m, ctnn::loss::softmax_cross_entropy{}, ctnn::optim::sgd{.lr = 0.1f}, d,
            {.progress = ctnn::progress_mode::quiet, .schedule = ctnn::sched::cosine{.lr = 0.1, .total = 8}});
#endif
}
