// reduce_on_plateau inside warmup<>, given to fit by value: the same silent copy as
// schedule_by_value.cpp, one level down (the check looked at the outer type only).
// expect: this schedule changes when observe\(\) is called, but fit would keep a copy
// expect: expect_schedule_by_reference<ctnn::sched::warmup<ctnn::sched::reduce_on_plateau> >
#include <functional>
#include <ctnn/ctnn.hpp>
using net = ctnn::sequential<ctnn::input<4>, ctnn::dense<3>>;
int main() {
  ctnn::model<net> m;
  const ctnn::data::labeled_dataset d = ctnn::data::make_labeled(xt::ones<float>({std::size_t{4}, std::size_t{4}}),
                                                                 xt::zeros<std::int32_t>({std::size_t{4}}), 3);
  ctnn::sched::warmup<ctnn::sched::reduce_on_plateau> warm{.steps = 2, .inner = {.factor = 0.5, .patience = 0}};
  ctnn::fit_options<ctnn::data::labeled_dataset> options{.progress = ctnn::progress_mode::quiet};
#ifdef CTNN_COMPILE_FAIL
  options.schedule = warm;
#else
  options.schedule = std::ref(warm);
#endif
  options.on_epoch = [&](const ctnn::epoch_record& r) { warm.inner.observe(r.train_loss); };
  ctnn::fit(m, ctnn::loss::softmax_cross_entropy{}, ctnn::optim::sgd{.lr = 0.1f}, d, options);
}
