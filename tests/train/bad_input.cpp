// Misuse that a demanding user will hit: each is a ctnn::error naming what is wrong, never a
// crash or a silent wrong answer.
#include <catch2/catch.hpp>
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>
#include <ctnn/ctnn.hpp>

namespace {
using net = ctnn::sequential<ctnn::input<3>, ctnn::dense<4>, ctnn::relu, ctnn::dense<2>>;
using Catch::Contains;

ctnn::data::labeled_dataset small_set(std::size_t n) {
  ctnn::data::labeled_dataset d;
  d.x = xt::ones<float>({n, std::size_t{3}});
  d.y = xt::zeros<std::int32_t>({n});
  d.classes = 2;
  return d;
}
}  // namespace

TEST_CASE("backward without a training forward is an error, not a read of freed memory", "[train][bad_input]") {
  ctnn::model<net> m;
  std::vector<float> dy(4, 0.1f);
  CHECK_THROWS_WITH(m.backward(dy.data()), Contains("no training forward"));
  xt::xtensor<float, 2> x = xt::ones<float>({2, 3});
  m.predict(x);
  CHECK_THROWS_WITH(m.backward(dy.data()), Contains("no training forward"));
  ctnn::evaluate(m, small_set(2), ctnn::metric::accuracy{});
  CHECK_THROWS_WITH(m.backward(dy.data()), Contains("no training forward"));
}

TEST_CASE("a moved-from model says so; the moved-to model works", "[train][bad_input]") {
  ctnn::model<net> a{ctnn::seed{4}};
  xt::xtensor<float, 2> x = xt::ones<float>({2, 3});
  const auto before = a.predict(x);
  ctnn::model<net> b = std::move(a);
  CHECK_THROWS_WITH(a.predict(x), Contains("moved from"));
  const bool same = b.predict(x) == before;
  CHECK(same);
}

TEST_CASE("fit and evaluate check the dataset before any work", "[train][bad_input]") {
  ctnn::model<net> m;
  const ctnn::optim::sgd opt{};
  const auto quiet = ctnn::progress_mode::quiet;
  auto d = small_set(5);
  d.y = xt::zeros<std::int32_t>({3});
  CHECK_THROWS_WITH(ctnn::evaluate(m, d, ctnn::metric::accuracy{}), Contains("x has 5 samples but y has 3"));
  CHECK_THROWS_WITH(ctnn::fit(m, ctnn::loss::softmax_cross_entropy{}, opt, d, {.progress = quiet}),
                    Contains("x has 5 samples but y has 3"));
  d = small_set(5);
  CHECK_THROWS_WITH(ctnn::evaluate(m, d, ctnn::metric::accuracy{}, 0), Contains("batch size must be positive"));
  CHECK_THROWS_WITH(ctnn::evaluate(m, small_set(0), ctnn::metric::accuracy{}), Contains("empty"));
  d.x(2, 1) = NAN;
  CHECK_THROWS_WITH(ctnn::fit(m, ctnn::loss::softmax_cross_entropy{}, opt, d, {.progress = quiet}),
                    Contains("feature 1 of sample 2 is not finite"));
  d = small_set(5);
  // A width only known at run time, as docs/errors.md shows it.
  auto wide = small_set(5);
  wide.x = xt::ones<float>({std::size_t{5}, std::size_t{4}});
  CHECK_THROWS_WITH(ctnn::fit(m, ctnn::loss::softmax_cross_entropy{}, opt, wide, {.progress = quiet}),
                    Contains("ctnn::fit: the data has 4 features per sample but the network's input<3> expects 3"));
  CHECK_THROWS_WITH(ctnn::evaluate(m, wide, ctnn::metric::accuracy{}),
                    Contains("ctnn::evaluate: the data has 4 features per sample but the network's input<3> expects 3"));
  CHECK_THROWS_WITH(m.predict(wide.x),
                    Contains("ctnn::model: the input has 4 features per sample but the network's input<3> expects 3"));
  // An empty validation set fails before the first epoch, not in evaluate after it.
  const auto no_validation = small_set(0);
  CHECK_THROWS_WITH(ctnn::fit(m, ctnn::loss::softmax_cross_entropy{}, opt, d,
                              {.validation = &no_validation, .progress = quiet}),
                    Contains("ctnn::fit: the validation set is empty"));
  CHECK_THROWS_WITH(ctnn::fit(m, ctnn::loss::softmax_cross_entropy{}, opt, small_set(0), {.progress = quiet}),
                    Contains("the training set is empty"));
  CHECK_THROWS_WITH(ctnn::fit(m, ctnn::loss::softmax_cross_entropy{}, opt, d, {.batch = 0, .progress = quiet}),
                    Contains("options.batch must be positive"));
  CHECK_THROWS_WITH(ctnn::fit(m, ctnn::loss::softmax_cross_entropy{}, opt, d,
                              {.metrics_csv = "/nonexistent-dir/metrics.csv", .progress = quiet}),
                    Contains("cannot write the metrics file"));
  struct regression { xt::xtensor<float, 2> x, y; } r{xt::ones<float>({4, 3}), xt::ones<float>({4, 3})};
  CHECK_THROWS_WITH(ctnn::fit(m, ctnn::loss::mse{}, opt, r, {.progress = quiet}),
                    Contains("targets must be [4, 2] for this network, got [4, 3]"));
  struct one_hot { xt::xtensor<float, 2> x; xt::xtensor<std::int32_t, 2> y; } oh{xt::ones<float>({4, 3}), xt::zeros<std::int32_t>({4, 2})};
  CHECK_THROWS_WITH(ctnn::fit(m, ctnn::loss::softmax_cross_entropy{}, opt, oh, {.progress = quiet}),
                    Contains("one integer class label per sample"));
}

TEST_CASE("a batch larger than the data, up to SIZE_MAX, is one step over all of it", "[train][bad_input]") {
  // (n + batch - 1) / batch overflowed to 0 steps at SIZE_MAX: no training and a NaN loss.
  const auto d = small_set(5);
  const auto quiet = ctnn::progress_mode::quiet;
  for (const std::size_t batch : {std::size_t{5}, std::size_t{6}, SIZE_MAX}) {
    ctnn::model<net> a{ctnn::seed{2}}, b{ctnn::seed{2}};
    const auto whole = ctnn::fit(a, ctnn::loss::softmax_cross_entropy{}, ctnn::optim::sgd{.lr = 0.1f}, d,
                                 {.epochs = 2, .batch = 5, .shuffle = false, .progress = quiet});
    const auto big = ctnn::fit(b, ctnn::loss::softmax_cross_entropy{}, ctnn::optim::sgd{.lr = 0.1f}, d,
                               {.epochs = 2, .batch = batch, .shuffle = false, .progress = quiet});
    REQUIRE(big.size() == 2);
    CHECK(std::isfinite(big[1].train_loss));
    CHECK(big[1].train_loss == whole[1].train_loss);
    CHECK(std::equal(a.parameters().begin(), a.parameters().end(), b.parameters().begin()));
  }
}

TEST_CASE("value_and_grad checks the batch and the target shape", "[train][bad_input]") {
  ctnn::model<net, double> m;
  xt::xtensor<double, 2> x = xt::ones<double>({2, 3});
  CHECK_THROWS_WITH(ctnn::value_and_grad(m, ctnn::loss::softmax_cross_entropy{}, x, xt::xtensor<int, 1>{1, 0, 1}),
                    Contains("expected 2 labels"));
  CHECK_THROWS_WITH(ctnn::value_and_grad(m, ctnn::loss::mse{}, x, xt::xtensor<double, 1>{1.0, 0.0}),
                    Contains("expected targets of shape [2, 2]"));
  xt::xtensor<double, 2> empty = xt::zeros<double>({0, 3});
  CHECK_THROWS_WITH(ctnn::value_and_grad(m, ctnn::loss::softmax_cross_entropy{}, empty, xt::xtensor<int, 1>{}),
                    Contains("batch is empty"));
}

TEST_CASE("a non-finite learning rate or parameter is named before any update", "[train][bad_input]") {
  using lin = ctnn::sequential<ctnn::input<2>, ctnn::dense<4>, ctnn::relu, ctnn::dense<2>>;
  xt::xtensor<float, 2> x = xt::zeros<float>({std::size_t{10}, std::size_t{2}});
  xt::xtensor<std::int32_t, 1> y = xt::zeros<std::int32_t>({std::size_t{10}});
  const auto d = ctnn::data::make_labeled(x, y, 2);
  const auto quiet = ctnn::progress_mode::quiet;
  ctnn::model<lin> m{ctnn::seed{1}};
  const std::vector<float> before(m.parameters().begin(), m.parameters().end());
  CHECK_THROWS_WITH(ctnn::fit(m, ctnn::loss::softmax_cross_entropy{}, ctnn::optim::sgd{.lr = NAN}, d,
                              {.batch = 5, .progress = quiet}),
                    Catch::Contains("the optimizer's learning rate is nan"));
  CHECK_THROWS_WITH(ctnn::fit(m, ctnn::loss::softmax_cross_entropy{}, ctnn::optim::sgd{.lr = 0.1f}, d,
                              {.batch = 5, .progress = quiet, .schedule = [](std::size_t step) {
                                 return step == 1 ? std::numeric_limits<double>::infinity() : 0.1;
                               }}),
                    Catch::Contains("the learning rate for step 2 (epoch 1) is inf (from options.schedule)"));
  // The first step's update happened (lr 0.1, finite), the second's did not.
  const std::vector<float> after_one(m.parameters().begin(), m.parameters().end());
  for (const float v : after_one) CHECK(std::isfinite(v));
  CHECK_THROWS_WITH(ctnn::fit(m, ctnn::loss::softmax_cross_entropy{}, ctnn::optim::sgd{.lr = 0.1f}, d,
                              {.batch = 5, .progress = quiet, .learning_rate = [](std::size_t) { return NAN; }}),
                    Catch::Contains("the learning rate for step 1 (epoch 1) is nan (from options.learning_rate)"));
  CHECK(std::equal(after_one.begin(), after_one.end(), m.parameters().begin()));

  m.parameter("2.bias")(1) = NAN;
  CHECK_THROWS_WITH(ctnn::fit(m, ctnn::loss::softmax_cross_entropy{}, ctnn::optim::sgd{.lr = 0.1f}, d,
                              {.batch = 5, .progress = quiet}),
                    Catch::Contains("the model's parameters are not finite before training: 2.bias (element 1 = nan)"));
  (void)before;
}

TEST_CASE("drop_last skips the partial batch; a one-sample last batch that fails says where it comes from",
          "[train][bad_input]") {
  using bn_net = ctnn::sequential<ctnn::input<3>, ctnn::dense<4, ctnn::init::kaiming_normal<>, ctnn::norm::batch_norm<>>,
                                  ctnn::relu, ctnn::dense<2>>;
  ctnn::rng g(3);
  xt::xtensor<float, 2> x = xt::empty<float>({std::size_t{9}, std::size_t{3}});
  for (auto& v : x) v = static_cast<float>(g.normal());
  xt::xtensor<std::int32_t, 1> y = xt::zeros<std::int32_t>({std::size_t{9}});
  const auto d = ctnn::data::make_labeled(x, y, 2);
  const auto quiet = ctnn::progress_mode::quiet;
  ctnn::model<bn_net> m{ctnn::seed{1}};
  // 9 samples, batch 4: 4 + 4 + 1.
  CHECK_THROWS_WITH(ctnn::fit(m, ctnn::loss::softmax_cross_entropy{}, ctnn::optim::sgd{.lr = 0.1f}, d,
                              {.batch = 4, .progress = quiet}),
                    Catch::Contains("training needs more than one sample per batch") &&
                        Catch::Contains("the last batch of each epoch has 1 sample (9 samples, batch 4); "
                                        "fit_options::drop_last = true skips it"));
  std::size_t steps = 0;
  ctnn::model<bn_net> k{ctnn::seed{1}};
  const auto history = ctnn::fit(k, ctnn::loss::softmax_cross_entropy{}, ctnn::optim::sgd{.lr = 0.1f}, d,
                                 {.epochs = 2, .batch = 4, .progress = quiet,
                                  .schedule = [&](std::size_t) { ++steps; return 0.1; }, .drop_last = true});
  CHECK(history.size() == 2);
  CHECK(steps == 4);  // 2 full batches an epoch
  CHECK_THROWS_WITH(ctnn::fit(k, ctnn::loss::softmax_cross_entropy{}, ctnn::optim::sgd{.lr = 0.1f}, d,
                              {.batch = 16, .progress = quiet, .drop_last = true}),
                    Catch::Contains("drop_last with 9 samples and batch 16 leaves no batch"));
}

TEST_CASE("fit reads x and y as rows: a column-major tensor is an error, not scrambled samples", "[train][bad_input]") {
  using lin = ctnn::sequential<ctnn::input<3>, ctnn::dense<2>>;
  struct column_major_data {
    xt::xtensor<float, 2, xt::layout_type::column_major> x;
    xt::xtensor<float, 2> y;
  } d{xt::ones<float>({std::size_t{6}, std::size_t{3}}), xt::zeros<float>({std::size_t{6}, std::size_t{2}})};
  ctnn::model<lin> m{ctnn::seed{1}};
  m.eval();
  CHECK_THROWS_WITH(ctnn::fit(m, ctnn::loss::mse{}, ctnn::optim::sgd{.lr = 0.1f}, d, {.progress = ctnn::progress_mode::quiet}),
                    Catch::Contains("x and y must be row-major"));
}

TEST_CASE("a rejected fit leaves the model's mode as it was", "[train][bad_input]") {
  using lin = ctnn::sequential<ctnn::input<2>, ctnn::dense<2>>;
  const auto d = ctnn::data::make_labeled(xt::zeros<float>({std::size_t{3}, std::size_t{2}}),
                                          xt::zeros<std::int32_t>({std::size_t{3}}), 2);
  ctnn::model<lin> m{ctnn::seed{1}};
  m.eval();
  CHECK_THROWS(ctnn::fit(m, ctnn::loss::softmax_cross_entropy{}, ctnn::optim::sgd{.lr = 0.1f}, d,
                         {.batch = 4, .progress = ctnn::progress_mode::quiet, .drop_last = true}));
  CHECK(m.current_mode() == ctnn::mode::eval);
}
