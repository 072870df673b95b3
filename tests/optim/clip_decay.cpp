// Clipping and weight decay equal their formulas exactly (bit for bit in float), weight
// averaging its recurrences, and the per-slot update decays weights only.
#include <catch2/catch.hpp>
#include <algorithm>
#include <cmath>
#include <vector>
#include <ctnn/core/rng.hpp>
#include <ctnn/optim/all.hpp>

namespace {
std::vector<float> random_vector(std::size_t n, std::uint64_t seed, double scale = 1) {
  ctnn::rng r(seed);
  std::vector<float> v(n);
  for (auto& e : v) e = static_cast<float>(scale * r.normal());
  return v;
}
}  // namespace

TEST_CASE("clip_by_global_norm and clip_by_value equal their formulas", "[optim][clip]") {
  const std::size_t n = 1037;
  auto g = random_vector(n, 1), ref = g;
  double sq = 0;
  for (float e : ref) sq += double(e) * double(e);
  const double norm = std::sqrt(sq);
  const double returned = ctnn::optim::clip_by_global_norm(g.data(), n, 5.0);
  CHECK(returned == Approx(norm).epsilon(1e-6));  // float partial sums of 256 elements, then double
  const float coef = static_cast<float>(5.0 / (norm + 1e-6));
  for (std::size_t i = 0; i < n; ++i) REQUIRE(g[i] == ref[i] * coef);
  auto small = random_vector(n, 2, 1e-3), small_ref = small;  // norm ≈ 0.03 < 5: untouched
  ctnn::optim::clip_by_global_norm(small.data(), n, 5.0);
  CHECK(small == small_ref);

  auto v = random_vector(n, 3), vref = v;
  ctnn::optim::clip_by_value(v.data(), n, 0.5f);
  for (std::size_t i = 0; i < n; ++i) REQUIRE(v[i] == std::clamp(vref[i], -0.5f, 0.5f));
}

TEST_CASE("weight decay equals its formula exactly: L2 in sgd, decoupled in adamw", "[optim][decay]") {
  const std::size_t n = 1037;
  const std::vector<float> zero(n, 0.0f);
  auto p = random_vector(n, 4), ref = p;
  // sgd, no momentum, zero gradient: p ← p − η (0 + λ p).
  const ctnn::optim::sgd s{.lr = 0.1f, .weight_decay = 0.01f};
  auto ss = s.make_state<float>(n);
  s.update(p.data(), zero.data(), ss, n);
  for (std::size_t i = 0; i < n; ++i) REQUIRE(p[i] == ref[i] - 0.1f * (0.0f + 0.01f * ref[i]));
  // adamw, zero gradient: m = v = 0, so p ← p (1 − η λ) exactly.
  p = ref;
  const ctnn::optim::adamw w{.lr = 0.1f, .weight_decay = 0.01f};
  auto ws = w.make_state<float>(n);
  w.update(p.data(), zero.data(), ws, n);
  for (std::size_t i = 0; i < n; ++i) REQUIRE(p[i] == ref[i] * (1.0f - 0.1f * 0.01f));
}

TEST_CASE("the per-slot update decays weights, not biases, unless told to", "[optim][decay][slots]") {
  // Arena: a 4x5 weight at 0, a bias of 7 at 32 (slot padding in between), 48 elements.
  const ctnn::slot_desc slots[2] = {{.offset = 0, .rank = 2, .rows = 4, .cols = 5},
                                    {.offset = 32, .rank = 1, .rows = 7, .cols = 1, .role = ctnn::slot_role::bias}};
  const std::size_t n = 48;
  const std::vector<float> zero(n, 0.0f);
  const auto p0 = random_vector(n, 5);
  for (bool decay_biases : {false, true}) {
    auto p = p0;
    const ctnn::optim::adamw w{.lr = 0.1f, .weight_decay = 0.01f, .decay_biases = decay_biases};
    auto st = w.make_state<float>(n);
    w.update(p.data(), zero.data(), st, std::span<const ctnn::slot_desc>(slots), 0.1f);
    for (std::size_t i = 0; i < 20; ++i) REQUIRE(p[i] == p0[i] * (1.0f - 0.1f * 0.01f));
    for (std::size_t i = 20; i < 32; ++i) REQUIRE(p[i] == p0[i]);  // padding untouched
    for (std::size_t i = 32; i < 39; ++i) REQUIRE(p[i] == (decay_biases ? p0[i] * (1.0f - 0.1f * 0.01f) : p0[i]));
    CHECK(st.steps == 1);
  }
}

TEST_CASE("polyak and EMA weight averages follow their recurrences and swap in and out", "[optim][average]") {
  const std::size_t n = 37;
  const ctnn::optim::polyak_average pa{.start = 2};
  const ctnn::optim::ema_average ema{.decay = 0.9f};
  auto ps = pa.make_state<double>(n);
  auto es = ema.make_state<double>(n);
  std::vector<double> mean(n, 0.0), e(n);
  std::vector<std::vector<double>> iterates;
  for (int t = 0; t < 10; ++t) {
    std::vector<double> p(n);
    for (std::size_t i = 0; i < n; ++i) p[i] = std::sin(double(t * 7 + i));
    pa.update(p.data(), ps, n);
    ema.update(p.data(), es, n);
    if (t >= 2) iterates.push_back(p);
    for (std::size_t i = 0; i < n; ++i) e[i] = t == 0 ? p[i] : 0.9 * e[i] + 0.1 * p[i];
  }
  for (const auto& p : iterates)
    for (std::size_t i = 0; i < n; ++i) mean[i] += p[i] / double(iterates.size());
  for (std::size_t i = 0; i < n; ++i) {
    CHECK(ps.average[i] == Approx(mean[i]).margin(1e-12));
    CHECK(es.average[i] == Approx(e[i]).margin(1e-6));  // ema's decay is a float hyperparameter
  }
  std::vector<double> params(n, 3.0);
  ctnn::optim::polyak_average::swap(params.data(), ps, n);
  CHECK(params[5] == Approx(mean[5]).margin(1e-12));
  ctnn::optim::polyak_average::swap(params.data(), ps, n);
  CHECK(params[5] == 3.0);
}

TEST_CASE("the global norm holds where float squares overflow or underflow", "[optim][clip]") {
  // Squares of 3e19 overflow float and of 1e-25 underflow it; the norm is then taken in double.
  std::vector<float> g{3e19f, 4e19f};
  CHECK(ctnn::optim::clip_by_global_norm(g.data(), g.size(), 1.0) == Approx(5e19).epsilon(1e-6));
  CHECK(g[0] == Approx(0.6f).epsilon(1e-6));
  CHECK(g[1] == Approx(0.8f).epsilon(1e-6));
  const std::vector<float> huge(1000, 1e19f), tiny(1000, 1e-25f), zero(1000, 0.0f);
  CHECK(ctnn::optim::global_norm(huge.data(), huge.size()) == Approx(std::sqrt(1000.0) * 1e19).epsilon(1e-6));
  CHECK(ctnn::optim::global_norm(tiny.data(), tiny.size()) ==
        Approx(std::sqrt(1000.0) * double(1e-25f)).epsilon(1e-6));
  CHECK(ctnn::optim::global_norm(zero.data(), zero.size()) == 0.0);
}
