// Optimizer settings and gradients at their edges: each case made parameters NaN, or crashed,
// before its fix (optim/rmsprop.hpp, adabound.hpp, adagrad_norm.hpp, lookahead.hpp).
#include <catch2/catch.hpp>
#include <cmath>
#include <vector>
#include <ctnn/core/error.hpp>
#include <ctnn/optim/all.hpp>

namespace optim = ctnn::optim;

namespace {
bool all_finite(const std::vector<float>& v) {
  for (float x : v)
    if (!std::isfinite(x)) return false;
  return true;
}
}  // namespace

TEST_CASE("centered rmsprop stays finite on a constant gradient", "[optim][edge]") {
  // v − ḡ² → α^t (1 − α^t) g² ≥ 0, but rounds below 0 after ~1,200 float steps.
  const std::size_t n = 64;
  std::vector<float> p(n, 1.0f), g(n);
  for (std::size_t i = 0; i < n; ++i) g[i] = 0.3f * (1.0f + 0.01f * static_cast<float>(i));
  for (const optim::rmsprop o : {optim::rmsprop{.lr = 1e-4f, .centered = true},
                                 optim::rmsprop{.lr = 1e-4f, .momentum = 0.9f, .centered = true}}) {
    auto q = p;
    auto st = o.make_state<float>(n);
    for (int t = 0; t < 3000; ++t) o.update(q.data(), g.data(), st, n);
    CHECK(all_finite(q));
  }
}

TEST_CASE("adabound at lr 0 moves nothing; a scheduled rate over lr 0 is an error", "[optim][edge]") {
  const std::vector<float> g{0.5f, -0.2f, 0.0f, 1.0f};
  for (const optim::adabound o : {optim::adabound{.lr = 0}, optim::adabound{.lr = 0, .amsbound = true}}) {
    std::vector<float> p(4, 1.0f);
    auto st = o.make_state<float>(4);
    for (int t = 0; t < 3; ++t) o.update(p.data(), g.data(), st, 4);
    CHECK(p == std::vector<float>(4, 1.0f));
    CHECK_THROWS_AS(o.update_with_lr(p.data(), g.data(), st, 4, 1e-3f), ctnn::error);
    CHECK(p == std::vector<float>(4, 1.0f));
  }
}

TEST_CASE("adagrad_norm with b0 = 0 and a zero gradient moves nothing", "[optim][edge]") {
  const optim::adagrad_norm o{.b0 = 0};
  std::vector<float> p{1, 2, 3}, zero(3, 0.0f), g{0.5f, -1, 2};
  auto st = o.make_state<float>(3);
  o.update(p.data(), zero.data(), st, 3);
  CHECK(p == std::vector<float>{1, 2, 3});
  o.update(p.data(), g.data(), st, 3);  // b² = ‖g‖² now: one normalized step
  CHECK(all_finite(p));
  CHECK(p[0] == Approx(1 - 0.5 / std::sqrt(5.25) * double(o.lr)).epsilon(1e-6));
}

TEST_CASE("lookahead with k = 0 is an error, not a division by zero", "[optim][edge]") {
  const optim::lookahead<optim::adam> o{.k = 0};
  std::vector<float> p{1, 2}, g{0.1f, 0.2f};
  auto st = o.make_state<float>(2);
  CHECK_THROWS_WITH(o.update(p.data(), g.data(), st, 2), Catch::Contains("k is 0"));
}
