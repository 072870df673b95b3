// Misuse that a demanding user will hit: each is a ctnn::error naming what is wrong, never a
// crash or a silent wrong answer.
#include <catch2/catch.hpp>
#include <cmath>
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
