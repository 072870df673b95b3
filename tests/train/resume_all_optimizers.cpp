// Every optimizer's state goes into a training checkpoint: a run that crashes mid-epoch and is
// resumed from its last checkpoint ends bitwise identical to the run that never stopped, for each
// optimizer in optim::all (hyperparameters chosen so that every optional arena is in use). A
// checkpoint written with one optimizer type and resumed with another is an error naming both.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>
#include <tuple>
#include <ctnn/ctnn.hpp>
#include <ctnn/optim/all.hpp>

namespace {

// Tiny on purpose: 2-8-2 keeps the 19 instantiations of fit cheap to compile.
using tiny_net = ctnn::sequential<ctnn::input<2>, ctnn::dense<8>, ctnn::tanh, ctnn::dense<2>>;

// 100 samples, two noisy Gaussian blobs; batch 16 gives 7 steps per epoch, the last one of 4.
ctnn::data::labeled_dataset blobs() {
  constexpr std::size_t n = 100;
  ctnn::rng g(11);
  xt::xtensor<float, 2> x = xt::zeros<float>({n, std::size_t{2}});
  xt::xtensor<std::int32_t, 1> y = xt::zeros<std::int32_t>({n});
  for (std::size_t i = 0; i < n; ++i) {
    const int c = static_cast<int>(i % 2);
    x(i, 0) = static_cast<float>((c ? 0.5 : -0.5) + 0.4 * g.normal());
    x(i, 1) = static_cast<float>((c ? -0.3 : 0.3) + 0.4 * g.normal());
    y(i) = c;
  }
  return ctnn::data::make_labeled(std::move(x), std::move(y), 2);
}

/// The optimizer under test, with every arena it can have switched on.
template <class O>
O configured() {
  O o{};
  if constexpr (std::is_same_v<O, ctnn::optim::sgd>) o.momentum = 0.9f;
  if constexpr (std::is_same_v<O, ctnn::optim::rmsprop>) {
    o.centered = true;
    o.momentum = 0.5f;
  }
  if constexpr (std::is_same_v<O, ctnn::optim::lookahead<ctnn::optim::adam>>) o.k = 3;  // syncs at 3, 6, 9, ...
  return o;
}

struct crash : std::runtime_error {
  crash() : std::runtime_error("simulated crash") {}
};

constexpr std::size_t crash_step = 10;  // inside epoch 2 (global steps 7..13)

}  // namespace

static_assert(ctnn::io::VisitableState<ctnn::optim::polyak_average::state<float>>);
static_assert(ctnn::io::VisitableState<ctnn::optim::ema_average::state<double>>);

TEMPLATE_LIST_TEST_CASE("every optimizer: a run crashed mid-epoch and resumed == the uninterrupted run, bitwise",
                        "[train][resume]", ctnn::optim::all) {
  static_assert(ctnn::io::VisitableState<typename TestType::template state<float>>);
  ctnn::set_num_threads(1);
  const auto train = blobs();
  const TestType opt = configured<TestType>();
  const double lr0 = 0.02;
  // A per-step schedule in all three runs: the resumed run must continue it at the right step.
  auto schedule = [lr0](std::size_t step) { return lr0 / (1.0 + 0.05 * static_cast<double>(step)); };
  const auto quiet = ctnn::progress_mode::quiet;
  const std::string path = "resume_all_optimizers.ckpt";

  ctnn::model<tiny_net> straight{ctnn::seed{1}};
  const auto full = ctnn::fit(straight, ctnn::loss::softmax_cross_entropy{}, opt, train,
                              {.epochs = 3, .batch = 16, .seed = 5, .progress = quiet, .schedule = schedule});

  // Checkpoints every 4 steps (global 4, end of epoch 1 = 7, 8) and dies before step 10's update:
  // the last checkpoint is global step 8, one step into epoch 2.
  ctnn::model<tiny_net> crashed{ctnn::seed{1}};
  CHECK_THROWS_AS(ctnn::fit(crashed, ctnn::loss::softmax_cross_entropy{}, opt, train,
                            {.epochs = 3, .batch = 16, .seed = 5, .progress = quiet,
                             .schedule = [&](std::size_t step) {
                               if (step == crash_step) throw crash{};
                               return schedule(step);
                             },
                             .checkpoint = path, .checkpoint_every = 4}),
                  crash);

  // Resumed into a model initialized differently: everything must come from the checkpoint.
  ctnn::model<tiny_net> resumed{ctnn::seed{99}};
  const auto rest = ctnn::fit(resumed, ctnn::loss::softmax_cross_entropy{}, opt, train,
                              {.epochs = 3, .batch = 16, .seed = 5, .progress = quiet, .schedule = schedule,
                               .resume_from = path});
  std::remove(path.c_str());

  REQUIRE(full.size() == 3);
  REQUIRE(rest.size() == 2);  // epochs 2 and 3
  for (std::size_t e = 0; e < 2; ++e) {
    INFO("epoch " << e + 2);
    // The epoch's running loss and accuracy were restored too: same doubles, not just close.
    CHECK(rest[e].train_loss == full[e + 1].train_loss);
    CHECK(rest[e].train_accuracy == full[e + 1].train_accuracy);
  }
  REQUIRE(std::isfinite(full.back().train_loss));
  CHECK(std::memcmp(straight.parameters().data(), resumed.parameters().data(),
                    straight.parameters().size() * sizeof(float)) == 0);
  // The run did train (a resumed run that silently restarted from scratch would differ anyway,
  // but this catches an optimizer whose step is a no-op here).
  CHECK(std::memcmp(straight.parameters().data(), ctnn::model<tiny_net>{ctnn::seed{1}}.parameters().data(),
                    straight.parameters().size() * sizeof(float)) != 0);
}

TEST_CASE("a checkpoint written with one optimizer type cannot be resumed with another", "[train][resume]") {
  ctnn::set_num_threads(1);
  const auto train = blobs();
  const auto quiet = ctnn::progress_mode::quiet;
  const std::string path = "resume_other_optimizer.ckpt";
  ctnn::model<tiny_net> m{ctnn::seed{1}};
  ctnn::fit(m, ctnn::loss::softmax_cross_entropy{}, ctnn::optim::adam{}, train,
            {.epochs = 1, .batch = 16, .progress = quiet, .checkpoint = path});

  ctnn::model<tiny_net> other{ctnn::seed{2}};
  const std::vector<float> before(other.parameters().begin(), other.parameters().end());
  // radam keeps exactly adam's tensors (m, v, steps): only the recorded type tells them apart.
  CHECK_THROWS_WITH(ctnn::fit(other, ctnn::loss::softmax_cross_entropy{}, ctnn::optim::radam{}, train,
                              {.epochs = 2, .batch = 16, .progress = quiet, .resume_from = path}),
                    Catch::Contains("holds the state of optimizer ctnn::optim::adam_type<ctnn::optim::adam_defaults>") &&
                        Catch::Contains("this trainer's optimizer is ctnn::optim::radam"));
  // adamw is adam's rule with other defaults, but another type: also refused.
  CHECK_THROWS_WITH(ctnn::fit(other, ctnn::loss::softmax_cross_entropy{}, ctnn::optim::adamw{}, train,
                              {.epochs = 2, .batch = 16, .progress = quiet, .resume_from = path}),
                    Catch::Contains("this trainer's optimizer is ctnn::optim::adam_type<ctnn::optim::adamw_defaults>"));
  CHECK_THROWS_WITH(ctnn::fit(other, ctnn::loss::softmax_cross_entropy{}, ctnn::optim::sgd{.momentum = 0.9f}, train,
                              {.epochs = 2, .batch = 16, .progress = quiet, .resume_from = path}),
                    Catch::Contains("this trainer's optimizer is ctnn::optim::sgd"));
  CHECK(std::equal(before.begin(), before.end(), other.parameters().begin()));
  // The same type resumes.
  CHECK(ctnn::fit(other, ctnn::loss::softmax_cross_entropy{}, ctnn::optim::adam{}, train,
                  {.epochs = 2, .batch = 16, .progress = quiet, .resume_from = path})
            .size() == 1);
  std::remove(path.c_str());
}
