// A small net trained on toy problems reaches a stated loss; fit and evaluate run end to end;
// a non-finite loss stops training with an error that names the step and the layer.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <functional>
#include <stdexcept>
#include <string>
#include <ctnn/ctnn.hpp>

namespace {

// Two interleaved spirals: not linearly separable, so the hidden layers must do the work.
ctnn::data::labeled_dataset spirals(std::size_t n, std::uint64_t seed) {
  ctnn::rng g(seed);
  xt::xtensor<float, 2> x = xt::zeros<float>({n, std::size_t{2}});
  xt::xtensor<std::int32_t, 1> y = xt::zeros<std::int32_t>({n});
  for (std::size_t i = 0; i < n; ++i) {
    const int c = static_cast<int>(i % 2);
    const double t = 0.5 + 3.0 * g.uniform();
    const double a = t * 2.2 + c * 3.14159265358979;
    x(i, 0) = static_cast<float>(t * std::cos(a) / 3.5 + 0.02 * g.normal());
    x(i, 1) = static_cast<float>(t * std::sin(a) / 3.5 + 0.02 * g.normal());
    y(i) = c;
  }
  return ctnn::data::make_labeled(std::move(x), std::move(y), 2);
}

using net = ctnn::sequential<ctnn::input<2>, ctnn::dense<64>, ctnn::tanh, ctnn::dense<64>, ctnn::tanh, ctnn::dense<2>>;

}  // namespace

TEST_CASE("an MLP learns two spirals: loss below 0.05, accuracy above 99%", "[train][toy]") {
  ctnn::set_num_threads(1);
  const auto train = spirals(2000, 1), test = spirals(1000, 2);
  ctnn::model<net> m{ctnn::seed{1}};
  const auto history = ctnn::fit(m, ctnn::loss::softmax_cross_entropy{},
                                 ctnn::optim::sgd{.lr = 0.1f, .momentum = 0.9f}, train,
                                 {.epochs = 150, .batch = 32, .seed = 3, .progress = ctnn::progress_mode::quiet});
  REQUIRE(history.size() == 150);
  CHECK(history.back().train_loss < 0.05);
  CHECK(history.back().train_loss < history.front().train_loss / 10);
  CHECK(ctnn::evaluate(m, test, ctnn::metric::accuracy{}) > 0.99);
}

TEST_CASE("regression with MSE: a tanh MLP fits sin on [-π, π] to mse below 1e-3", "[train][toy]") {
  struct regression { xt::xtensor<float, 2> x, y; } data{xt::zeros<float>({512, 1}), xt::zeros<float>({512, 1})};
  for (std::size_t i = 0; i < 512; ++i) {
    data.x(i, 0) = static_cast<float>(-3.14159265 + 6.2831853 * static_cast<double>(i) / 511.0);
    data.y(i, 0) = std::sin(data.x(i, 0));
  }
  using reg_net = ctnn::sequential<ctnn::input<1>, ctnn::dense<32, ctnn::init::xavier_uniform<ctnn::init::gain::tanh>>,
                                   ctnn::tanh, ctnn::dense<1, ctnn::init::xavier_uniform<>>>;
  ctnn::model<reg_net> m{ctnn::seed{2}};
  const auto history = ctnn::fit(m, ctnn::loss::mse{}, ctnn::optim::sgd{.lr = 0.05f, .momentum = 0.9f}, data,
                                 {.epochs = 300, .batch = 32, .progress = ctnn::progress_mode::quiet});
  CHECK(history.back().train_loss < 1e-3);
  CHECK(ctnn::evaluate(m, data, ctnn::metric::mean_loss<ctnn::loss::mse>{}) < 1e-3);
}

TEST_CASE("regression from CSV: a linear layer recovers the coefficients that generated the file", "[train][toy]") {
  // y = 3 x0 − 2 x1 + 0.5 exactly: the least-squares solution is those coefficients, the validation
  // loss 0 up to float rounding.
  std::string text = "x0,x1,y\n";
  for (int i = 0; i < 200; ++i) {
    const double x0 = std::sin(0.37 * i), x1 = std::cos(1.1 * i + 0.2);
    text += fmt::format("{:.6f},{:.6f},{:.9g}\n", x0, x1, 3.0 * std::stod(fmt::format("{:.6f}", x0)) -
                                                          2.0 * std::stod(fmt::format("{:.6f}", x1)) + 0.5);
  }
  const auto all = ctnn::data::parse_csv_regression(text, "linear.csv");
  const auto parts = ctnn::data::split_train_validation(all, 0.2, 5);
  using linear = ctnn::sequential<ctnn::input<2>, ctnn::dense<1>>;
  ctnn::model<linear> m{ctnn::seed{4}};
  const auto history = ctnn::fit(m, ctnn::loss::mse{}, ctnn::optim::sgd{.lr = 0.1f, .momentum = 0.9f}, parts.train,
                                 {.epochs = 60, .batch = 16, .validation = &parts.validation,
                                  .progress = ctnn::progress_mode::quiet});
  CHECK(history.back().validation_loss < 1e-8);
  const auto w = m.parameter("0.weight");
  const auto b = m.parameter("0.bias");
  CHECK(w(0, 0) == Approx(3.0).margin(1e-4));
  CHECK(w(0, 1) == Approx(-2.0).margin(1e-4));
  CHECK(b(0) == Approx(0.5).margin(1e-4));
}

TEST_CASE("fit writes per-epoch metrics to CSV", "[train]") {
  const auto train = spirals(256, 4);
  ctnn::model<net> m{ctnn::seed{1}};
  const std::string path = "toy_metrics_test.csv";
  ctnn::fit(m, ctnn::loss::softmax_cross_entropy{}, ctnn::optim::sgd{.lr = 0.1f}, train,
            {.epochs = 3, .batch = 64, .validation = &train, .metrics_csv = path,
             .progress = ctnn::progress_mode::quiet});
  std::ifstream f(path);
  std::string header, line;
  std::getline(f, header);
  CHECK(header == "epoch,train_loss,train_accuracy,validation_accuracy,validation_loss,seconds,samples_per_second");
  int rows = 0;
  while (std::getline(f, line)) ++rows;
  CHECK(rows == 3);
  std::remove(path.c_str());
}

TEST_CASE("a non-finite loss stops fit with the step and the first non-finite layer", "[train]") {
  auto train = spirals(256, 5);
  ctnn::model<net> m{ctnn::seed{1}};
  // The NaN appears during training: set after step 1's backward (the schedule is asked for step 1's
  // rate then), so step 2's loss is the first that sees it.
  auto poison = [&](std::size_t step) {
    if (step == 0) m.parameter("2.bias")(3) = std::numeric_limits<float>::quiet_NaN();
    return 0.1;
  };
  CHECK_THROWS_WITH(ctnn::fit(m, ctnn::loss::softmax_cross_entropy{}, ctnn::optim::sgd{.lr = 0.1f}, train,
                              {.epochs = 1, .batch = 64, .progress = ctnn::progress_mode::quiet, .schedule = poison}),
                    Catch::Contains("loss is nan at step 2") && Catch::Contains("module 2: dense<64>") &&
                        Catch::Contains("feature 3"));
  // Already there before training: named as such.
  CHECK_THROWS_WITH(ctnn::fit(m, ctnn::loss::softmax_cross_entropy{}, ctnn::optim::sgd{.lr = 0.1f}, train,
                              {.epochs = 1, .batch = 64, .progress = ctnn::progress_mode::quiet}),
                    Catch::Contains("the model's parameters are not finite before training: 2.bias (element 3 = nan)"));
}

TEST_CASE("a non-finite gradient stops fit naming the slot where backpropagation met it", "[train]") {
  auto train = spirals(256, 5);
  ctnn::model<net> m{ctnn::seed{1}};
  // tanh(±inf) = ±1 keeps the loss finite, but dx = dz·W carries the infinity into layer 0's gradients.
  // Set after epoch 1's last update (an update would turn it into NaN: inf − lr·(g + 0·inf)), so
  // step 5, epoch 2's first, is the first to see it.
  auto poison = [&](const ctnn::epoch_record& r) {
    if (r.epoch == 1) m.parameter("2.weight")(3, 5) = std::numeric_limits<float>::infinity();
  };
  CHECK_THROWS_WITH(ctnn::fit(m, ctnn::loss::softmax_cross_entropy{}, ctnn::optim::sgd{.lr = 0.1f}, train,
                              {.epochs = 2, .batch = 64, .progress = ctnn::progress_mode::quiet, .on_epoch = poison}),
                    Catch::Contains("gradient is not finite at step 5 (epoch 2)") && Catch::Contains("0.bias"));
}

TEST_CASE("a label outside the network's outputs is an error naming the sample", "[train]") {
  auto train = spirals(64, 6);
  train.y(17) = 5;
  ctnn::model<net> m;
  CHECK_THROWS_WITH(ctnn::fit(m, ctnn::loss::softmax_cross_entropy{}, ctnn::optim::sgd{}, train,
                              {.progress = ctnn::progress_mode::quiet}),
                    Catch::Contains("label 5 of sample 17"));
}

TEST_CASE("fit follows a per-step schedule and an optimizer from the optim family", "[train]") {
  const auto train = spirals(512, 8);
  ctnn::model<net> m{ctnn::seed{1}};
  const auto history = ctnn::fit(m, ctnn::loss::softmax_cross_entropy{}, ctnn::optim::adamw{.lr = 3e-3f}, train,
                                 {.epochs = 40, .batch = 32, .progress = ctnn::progress_mode::quiet,
                                  .schedule = ctnn::sched::warmup<ctnn::sched::cosine>{
                                      .steps = 50, .start_factor = 0.0, .inner = {.lr = 3e-3, .total = 40 * 16}}});
  CHECK(history.back().train_loss < 0.1);
  CHECK(history.back().train_accuracy > 0.97);
}

TEST_CASE("a schedule's base rate left unset is the optimizer's learning rate", "[train][sched]") {
  // adam at 2e-3 under a cosine that does not set its rate (the grid mistake this catches: the
  // schedule's own default used to replace the optimizer's rate without a word).
  const auto train = spirals(96, 11);  // 3 steps of 32 an epoch
  const auto quiet = ctnn::progress_mode::quiet;
  const ctnn::optim::adam opt{.lr = 2e-3f};
  ctnn::model<net> inherited{ctnn::seed{3}}, spelled{ctnn::seed{3}}, other{ctnn::seed{3}};
  ctnn::fit(inherited, ctnn::loss::softmax_cross_entropy{}, opt, train,
            {.epochs = 4, .batch = 32, .progress = quiet, .schedule = ctnn::sched::cosine{.total = 12}});
  // The same rates written out: the optimizer's lr as fit reads it (the float 2e-3f in double).
  ctnn::fit(spelled, ctnn::loss::softmax_cross_entropy{}, opt, train,
            {.epochs = 4, .batch = 32, .progress = quiet,
             .schedule = [](std::size_t t) {
               return 0.5 * double(2e-3f) * (1 + std::cos(3.141592653589793 * double(std::min<std::size_t>(t, 12)) / 12));
             }});
  // A rate the schedule sets itself is kept.
  ctnn::fit(other, ctnn::loss::softmax_cross_entropy{}, opt, train,
            {.epochs = 4, .batch = 32, .progress = quiet, .schedule = ctnn::sched::cosine{.lr = 0.1, .total = 12}});
  const auto bytes = inherited.parameters().size() * sizeof(float);
  CHECK(std::memcmp(inherited.parameters().data(), spelled.parameters().data(), bytes) == 0);
  CHECK(std::memcmp(inherited.parameters().data(), other.parameters().data(), bytes) != 0);
  // warmup's inner schedule and one_cycle's peak inherit it too.
  ctnn::model<net> warm{ctnn::seed{3}}, warm_spelled{ctnn::seed{3}};
  using warm_cosine = ctnn::sched::warmup<ctnn::sched::cosine>;
  ctnn::fit(warm, ctnn::loss::softmax_cross_entropy{}, opt, train,
            {.epochs = 2, .batch = 32, .progress = quiet, .schedule = warm_cosine{.steps = 2, .inner = {.total = 4}}});
  ctnn::fit(warm_spelled, ctnn::loss::softmax_cross_entropy{}, opt, train,
            {.epochs = 2, .batch = 32, .progress = quiet,
             .schedule = warm_cosine{.steps = 2, .inner = {.lr = double(2e-3f), .total = 4}}});
  CHECK(std::memcmp(warm.parameters().data(), warm_spelled.parameters().data(), bytes) == 0);
}

TEST_CASE("fit_options::schedule and learning_rate take what a std::function took", "[train][sched]") {
  const auto train = spirals(96, 13);  // 3 steps of 32 an epoch
  const auto quiet = ctnn::progress_mode::quiet;
  const ctnn::optim::sgd opt{.lr = 0.05f};
  ctnn::fit_options<ctnn::data::labeled_dataset> o{.epochs = 2, .batch = 32, .progress = quiet};
  o.schedule = nullptr;  // none: the optimizer's rate
  CHECK(o.schedule == nullptr);
  o.schedule = std::function<double(std::size_t)>{};  // empty: none too
  CHECK_FALSE(o.schedule);
  ctnn::model<net> plain{ctnn::seed{5}}, counted{ctnn::seed{5}}, by_epoch{ctnn::seed{5}}, by_pointer{ctnn::seed{5}};
  ctnn::fit(plain, ctnn::loss::softmax_cross_entropy{}, opt, train, o);
  // A mutable lambda (called once a step), a function pointer, a sched:: schedule per epoch
  // inheriting the optimizer's rate: all step at 0.05 here, so all give plain's parameters.
  std::size_t calls = 0;
  o.schedule = [&calls, n = std::size_t{0}](std::size_t t) mutable {
    ++calls;
    CHECK(t == n++);
    return double(0.05f);
  };
  ctnn::fit(counted, ctnn::loss::softmax_cross_entropy{}, opt, train, o);
  CHECK(calls == 6);
  o.schedule = nullptr;
  o.learning_rate = ctnn::sched::step{.step_size = 10, .gamma = 0.5};  // epochs 0-9 at the optimizer's rate
  ctnn::fit(by_epoch, ctnn::loss::softmax_cross_entropy{}, opt, train, o);
  double (*fixed)(std::size_t) = [](std::size_t) { return double(0.05f); };
  o.learning_rate = nullptr;
  o.schedule = fixed;
  ctnn::fit(by_pointer, ctnn::loss::softmax_cross_entropy{}, opt, train, o);
  const auto bytes = plain.parameters().size() * sizeof(float);
  CHECK(std::memcmp(plain.parameters().data(), counted.parameters().data(), bytes) == 0);
  CHECK(std::memcmp(plain.parameters().data(), by_epoch.parameters().data(), bytes) == 0);
  CHECK(std::memcmp(plain.parameters().data(), by_pointer.parameters().data(), bytes) == 0);
  // A schedule fit cannot see into (inside a lambda) keeps its rate unset: an error that says so.
  const ctnn::sched::cosine hidden{.total = 6};
  o.schedule = [hidden](std::size_t t) { return hidden(t); };
  ctnn::model<net> m{ctnn::seed{5}};
  CHECK_THROWS_WITH(ctnn::fit(m, ctnn::loss::softmax_cross_entropy{}, opt, train, o),
                    Catch::Contains("sched::cosine: .lr is left to the optimizer's learning rate") &&
                        Catch::Contains("inside a lambda or a std::function"));
  // An optimizer rate that is not finite, taken by the schedule: said before any work.
  o.schedule = ctnn::sched::cosine{.total = 6};
  CHECK_THROWS_WITH(ctnn::fit(m, ctnn::loss::softmax_cross_entropy{}, ctnn::optim::sgd{.lr = NAN}, train, o),
                    "ctnn::fit: options.schedule takes its base rate from the optimizer's learning rate, which is nan");
  // One that sets its own rate does not use the optimizer's.
  o.schedule = ctnn::sched::cosine{.lr = 0.05, .total = 6};
  CHECK_NOTHROW(ctnn::fit(m, ctnn::loss::softmax_cross_entropy{}, ctnn::optim::sgd{.lr = NAN}, train, o));
}

TEST_CASE("reduce_on_plateau drives fit's rate through std::ref", "[train][sched]") {
  const auto train = spirals(96, 12);  // 3 steps of 32 an epoch
  const auto quiet = ctnn::progress_mode::quiet;
  const ctnn::optim::sgd opt{.lr = 0.05f, .momentum = 0.9f};
  // A flat metric: the first observation improves on +inf, each later one is a bad epoch, and with
  // patience 0 each bad epoch halves the rate. Epochs 1-2 at 0.05, epoch 3 at 0.025, epoch 4 at 0.0125.
  ctnn::sched::reduce_on_plateau plateau{.factor = 0.5, .patience = 0};
  ctnn::model<net> driven{ctnn::seed{4}}, spelled{ctnn::seed{4}};
  ctnn::fit(driven, ctnn::loss::softmax_cross_entropy{}, opt, train,
            {.epochs = 4, .batch = 32, .progress = quiet, .schedule = std::ref(plateau),
             .on_epoch = [&](const ctnn::epoch_record&) { plateau.observe(1.0); }});
  CHECK(plateau.lr == double(0.05f));  // fit filled in the optimizer's rate
  CHECK(plateau(0) == Approx(double(0.05f) / 8));
  ctnn::fit(spelled, ctnn::loss::softmax_cross_entropy{}, opt, train,
            {.epochs = 4, .batch = 32, .progress = quiet, .schedule = [](std::size_t t) {
               const std::size_t epoch = t / 3;
               return double(0.05f) * (epoch < 2 ? 1.0 : epoch == 2 ? 0.5 : 0.25);
             }});
  CHECK(std::memcmp(driven.parameters().data(), spelled.parameters().data(),
                    driven.parameters().size() * sizeof(float)) == 0);
}

TEMPLATE_TEST_CASE("fit resumed from a checkpoint is bitwise identical to an uninterrupted run", "[train][resume]",
                   ctnn::optim::sgd, ctnn::optim::adam) {
  ctnn::set_num_threads(1);
  const auto train = spirals(300, 9);  // 10 steps of 32 per epoch, the last one short
  TestType opt{};
  opt.lr = 0.01f;
  if constexpr (std::is_same_v<TestType, ctnn::optim::sgd>) opt.momentum = 0.9f;
  const auto quiet = ctnn::progress_mode::quiet;
  ctnn::model<net> straight{ctnn::seed{1}};
  ctnn::fit(straight, ctnn::loss::softmax_cross_entropy{}, opt, train,
            {.epochs = 3, .batch = 32, .seed = 5, .progress = quiet});

  const std::string path = "resume_test.ckpt";
  // First run: stops after epoch 2, having checkpointed every 7 steps (the last one mid-epoch 2).
  ctnn::model<net> first{ctnn::seed{1}};
  ctnn::fit(first, ctnn::loss::softmax_cross_entropy{}, opt, train,
            {.epochs = 2, .batch = 32, .seed = 5, .progress = quiet, .checkpoint = path});
  // Resume into a model initialized differently: everything must come from the checkpoint.
  ctnn::model<net> resumed{ctnn::seed{77}};
  const auto rest = ctnn::fit(resumed, ctnn::loss::softmax_cross_entropy{}, opt, train,
                              {.epochs = 3, .batch = 32, .seed = 5, .progress = quiet, .resume_from = path});
  CHECK(rest.size() == 1);
  CHECK(std::memcmp(straight.parameters().data(), resumed.parameters().data(),
                    straight.parameters().size() * sizeof(float)) == 0);

  // Mid-epoch: checkpoint every 7 steps during an interrupted 2-epoch run, resume from the last one
  // (global step 14, inside epoch 2).
  ctnn::model<net> second{ctnn::seed{1}};
  ctnn::fit(second, ctnn::loss::softmax_cross_entropy{}, opt, train,
            {.epochs = 2, .batch = 32, .seed = 5, .progress = quiet, .checkpoint = path, .checkpoint_every = 7});
  ctnn::model<net> resumed_mid{ctnn::seed{78}};
  ctnn::fit(resumed_mid, ctnn::loss::softmax_cross_entropy{}, opt, train,
            {.epochs = 3, .batch = 32, .seed = 5, .progress = quiet, .resume_from = path});
  CHECK(std::memcmp(straight.parameters().data(), resumed_mid.parameters().data(),
                    straight.parameters().size() * sizeof(float)) == 0);
  CHECK_THROWS_WITH(ctnn::fit(resumed_mid, ctnn::loss::softmax_cross_entropy{}, opt, train,
                              {.epochs = 3, .batch = 32, .seed = 6, .progress = quiet, .resume_from = path}),
                    Catch::Contains("is of another run"));
  // A run interrupted in epoch 2 (its schedule throws at global step 15, after the checkpoint of
  // step 14: step 4 of epoch 2, batch 32). Resuming it with another batch would skip samples (a
  // larger one) or train some twice (a smaller one).
  ctnn::model<net> interrupted{ctnn::seed{1}};
  CHECK_THROWS_WITH(ctnn::fit(interrupted, ctnn::loss::softmax_cross_entropy{}, opt, train,
                              {.epochs = 2, .batch = 32, .seed = 5, .progress = quiet,
                               .schedule = [](std::size_t step) {
                                 if (step == 15) throw std::runtime_error("interrupted");
                                 return 0.01;
                               },
                               .checkpoint = path, .checkpoint_every = 7}),
                    "interrupted");
  for (const std::size_t batch : {16, 64, 150})
    CHECK_THROWS_WITH(ctnn::fit(resumed_mid, ctnn::loss::softmax_cross_entropy{}, opt, train,
                                {.epochs = 3, .batch = batch, .seed = 5, .progress = quiet, .resume_from = path}),
                      Catch::Contains("stopped mid-epoch after step 4 of batch 32; this run's batch is " +
                                      std::to_string(batch)));
  // With its own batch it resumes mid-epoch (step 4 of epoch 2: the checkpoint above ends an epoch,
  // this one does not) and ends where the uninterrupted run did, its last epoch's loss included.
  ctnn::model<net> resumed_inside{ctnn::seed{80}};
  const auto tail = ctnn::fit(resumed_inside, ctnn::loss::softmax_cross_entropy{}, opt, train,
                              {.epochs = 3, .batch = 32, .seed = 5, .progress = quiet, .resume_from = path});
  CHECK(std::memcmp(straight.parameters().data(), resumed_inside.parameters().data(),
                    straight.parameters().size() * sizeof(float)) == 0);
  REQUIRE(tail.size() == 2);  // the rest of epoch 2, then epoch 3
  // At an epoch's end the batch may change.
  ctnn::fit(first, ctnn::loss::softmax_cross_entropy{}, opt, train,
            {.epochs = 2, .batch = 32, .seed = 5, .progress = quiet, .checkpoint = path});
  ctnn::model<net> rebatched{ctnn::seed{79}};
  CHECK(ctnn::fit(rebatched, ctnn::loss::softmax_cross_entropy{}, opt, train,
                  {.epochs = 3, .batch = 64, .seed = 5, .progress = quiet, .resume_from = path})
            .size() == 1);
  std::remove(path.c_str());
}

TEST_CASE("gradient accumulation over micro-batches gives the full batch's gradient", "[train][accumulation]") {
  using dnet = ctnn::sequential<ctnn::input<2>, ctnn::dense<16>, ctnn::tanh, ctnn::dense<2>>;
  const auto train = spirals(96, 10);
  const auto quiet = ctnn::progress_mode::quiet;
  struct dset { xt::xtensor<double, 2> x; xt::xtensor<std::int32_t, 1> y; } d{xt::cast<double>(train.x), train.y};
  ctnn::model<dnet, double> whole{ctnn::seed{3}}, parts{ctnn::seed{3}};
  ctnn::fit(whole, ctnn::loss::softmax_cross_entropy{}, ctnn::optim::sgd{.lr = 0.1f}, d,
            {.epochs = 2, .batch = 32, .progress = quiet});
  // 32 = 11 + 11 + 10: unequal micro-batches, weighted by their size.
  ctnn::fit(parts, ctnn::loss::softmax_cross_entropy{}, ctnn::optim::sgd{.lr = 0.1f}, d,
            {.epochs = 2, .batch = 32, .progress = quiet, .micro_batches = 3});
  for (std::size_t i = 0; i < whole.parameters().size(); ++i)
    REQUIRE(parts.parameters()[i] == Approx(whole.parameters()[i]).epsilon(1e-12).margin(1e-14));
}
