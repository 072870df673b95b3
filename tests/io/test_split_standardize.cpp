// Train/validation split and standardization with training-split statistics.
#include <catch2/catch.hpp>
#include <set>
#include <ctnn/data/split.hpp>
#include <ctnn/data/standardize.hpp>

namespace {
ctnn::data::labeled_dataset numbered(std::size_t n) {
  xt::xtensor<float, 2> x = xt::empty<float>({n, std::size_t{2}});
  xt::xtensor<std::int32_t, 1> y = xt::empty<std::int32_t>({n});
  for (std::size_t i = 0; i < n; ++i) {
    x(i, 0) = static_cast<float>(i);
    x(i, 1) = 5.0f;  // constant feature
    y(i) = static_cast<std::int32_t>(i % 3);
  }
  return ctnn::data::make_labeled(std::move(x), std::move(y), 3);
}
}  // namespace

TEST_CASE("split: sizes, disjoint and complete, seeded, rows keep their labels", "[io][split]") {
  const auto d = numbered(100);
  const auto s = ctnn::data::split_train_validation(d, 0.2, 7);
  REQUIRE(s.train.size() == 80);
  REQUIRE(s.validation.size() == 20);
  std::set<int> seen;
  for (const auto* part : {&s.train, &s.validation})
    for (std::size_t i = 0; i < part->size(); ++i) {
      const int id = static_cast<int>(part->x(i, 0));
      CHECK(seen.insert(id).second);
      CHECK(part->y(i) == id % 3);
    }
  CHECK(seen.size() == 100);
  const auto again = ctnn::data::split_train_validation(d, 0.2, 7);
  CHECK(again.validation.x == s.validation.x);
  const auto other = ctnn::data::split_train_validation(d, 0.2, 8);
  CHECK(other.validation.x != s.validation.x);
  const auto tail = ctnn::data::split_train_validation(d, 0.2, 0, false);
  CHECK(tail.validation.x(0, 0) == 80.0f);
  CHECK_THROWS_WITH(ctnn::data::split_train_validation(d, 1.0), Catch::Contains("not in [0, 1)"));
  CHECK_THROWS_WITH(ctnn::data::split_train_validation(numbered(1), 0.6), Catch::Contains("leave no training samples"));
  // A fraction that rounds to no validation samples is an error; a fraction of 0 asks for none.
  CHECK_THROWS_WITH(ctnn::data::split_train_validation(numbered(10), 0.04), Catch::Contains("rounds to no validation"));
  CHECK(ctnn::data::split_train_validation(numbered(10), 0.0).validation.size() == 0);
  CHECK(ctnn::data::split_train_validation(numbered(10), 0.05).validation.size() == 1);
}

TEST_CASE("standardize: training statistics, applied unchanged to validation", "[io][standardize]") {
  const auto d = numbered(100);
  auto s = ctnn::data::split_train_validation(d, 0.0, 0, false);
  auto parts = ctnn::data::split_train_validation(d, 0.5, 0, false);  // train 0..49, validation 50..99
  const auto st = ctnn::data::standardizer::fit(parts.train.x);
  CHECK(st.mean[0] == Approx(24.5));
  CHECK(st.scale[0] == Approx(1.0 / std::sqrt((50.0 * 50.0 - 1.0) / 12.0)));
  CHECK(st.scale[1] == 1.0);  // constant feature: centred only
  st.apply(parts.train.x);
  st.apply(parts.validation.x);
  double mean = 0, var = 0;
  for (std::size_t i = 0; i < 50; ++i) mean += parts.train.x(i, 0) / 50.0;
  for (std::size_t i = 0; i < 50; ++i) var += (parts.train.x(i, 0) - mean) * (parts.train.x(i, 0) - mean) / 50.0;
  CHECK(mean == Approx(0.0).margin(1e-6));
  CHECK(var == Approx(1.0).epsilon(1e-5));
  CHECK(parts.train.x(0, 1) == 0.0f);
  // validation uses the training statistics: its first sample (50) is 25.5 training-stds above 0
  CHECK(parts.validation.x(0, 0) == Approx((50.0 - 24.5) * st.scale[0]).epsilon(1e-6));
  xt::xtensor<float, 2> wrong = xt::zeros<float>({std::size_t{2}, std::size_t{3}});
  CHECK_THROWS_WITH(st.apply(wrong), Catch::Contains("3 features, the statistics 2"));
  (void)s;
}

TEST_CASE("split: a regression dataset's rows keep their targets", "[io][split]") {
  const std::size_t n = 40;
  xt::xtensor<float, 2> x = xt::empty<float>({n, std::size_t{1}});
  xt::xtensor<float, 2> y = xt::empty<float>({n, std::size_t{2}});
  for (std::size_t i = 0; i < n; ++i) {
    x(i, 0) = static_cast<float>(i);
    y(i, 0) = 2.0f * static_cast<float>(i);
    y(i, 1) = -static_cast<float>(i);
  }
  const auto d = ctnn::data::make_regression(std::move(x), std::move(y));
  const auto parts = ctnn::data::split_train_validation(d, 0.25, 3);
  REQUIRE(parts.train.size() == 30);
  REQUIRE(parts.validation.size() == 10);
  std::set<float> seen;
  for (const auto* part : {&parts.train, &parts.validation})
    for (std::size_t i = 0; i < part->size(); ++i) {
      CHECK(part->y(i, 0) == 2.0f * part->x(i, 0));
      CHECK(part->y(i, 1) == -part->x(i, 0));
      seen.insert(part->x(i, 0));
    }
  CHECK(seen.size() == n);
  CHECK_THROWS_WITH(ctnn::data::make_regression(xt::xtensor<float, 2>({{1.0f}}), xt::xtensor<float, 2>({{NAN}})),
                    Catch::Contains("target y[0, 0] = nan is not finite"));
}
