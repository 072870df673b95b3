// LSUV (Mishkin & Matas 2016): after apply_lsuv on a calibration batch, every top-level dense
// layer's pre-activation variance on a FRESH batch is within tol of 1, up to batch sampling.
// Bound: with weights fixed, Var(z) on a batch is (to O(1/N)) the mean over its B samples of
// q_i = (1/W)·Σ_o (z_io − m)², samples i.i.d.; so the calibration and the fresh estimate each have
// standard error SE = sd(q)/√B and their difference √2·SE. The fit leaves |V_cal − 1| < tol, so
// |V_fresh − 1| < tol + 5·√2·SE (SE estimated from the fresh batch): a correct LSUV fails with
// probability < 1e-6, a layer left unscaled (variance off by ×2 or more here) fails for sure.
#include <catch2/catch.hpp>
#include <cmath>
#include <vector>
#include <ctnn/ctnn.hpp>

namespace {

using lsuv = ctnn::init::lsuv<0.05, 20>;
using net = ctnn::sequential<ctnn::input<32>, ctnn::dense<64, lsuv>, ctnn::relu, ctnn::dense<48, lsuv>, ctnn::tanh,
                             ctnn::dense<64, lsuv>, ctnn::relu, ctnn::dense<10, lsuv>>;

/// Non-white data: features with different scales and offsets, and a shared component.
std::vector<float> batch_of(std::size_t b, std::uint64_t seed) {
  ctnn::rng g(seed);
  std::vector<float> x(b * 32);
  for (std::size_t i = 0; i < b; ++i) {
    const double common = g.normal();
    for (std::size_t j = 0; j < 32; ++j)
      x[i * 32 + j] = static_cast<float>((0.2 + 0.15 * j) * (g.normal() + 0.5 * common) + 0.1 * j);
  }
  return x;
}

struct stats { double variance, se; };

/// Var(z) over batch × out and the standard error of that estimate from per-sample spreads.
stats preactivation_stats(const float* x, const float* w, const float* b, std::size_t batch, std::size_t in,
                          std::size_t out) {
  std::vector<double> z(batch * out);
  double mean = 0;
  for (std::size_t i = 0; i < batch; ++i)
    for (std::size_t o = 0; o < out; ++o) {
      double v = b[o];
      for (std::size_t k = 0; k < in; ++k) v += double(x[i * in + k]) * double(w[o * in + k]);
      z[i * out + o] = v;
      mean += v;
    }
  mean /= double(batch * out);
  std::vector<double> q(batch, 0.0);
  for (std::size_t i = 0; i < batch; ++i) {
    for (std::size_t o = 0; o < out; ++o) q[i] += (z[i * out + o] - mean) * (z[i * out + o] - mean);
    q[i] /= double(out);
  }
  double qm = 0;
  for (double v : q) qm += v;
  qm /= double(batch);
  double qv = 0;
  for (double v : q) qv += (v - qm) * (v - qm);
  qv /= double(batch - 1);
  return {qm, std::sqrt(qv / double(batch))};
}

}  // namespace

TEST_CASE("lsuv: the policy fills as orthogonal<1> before calibration", "[init][lsuv]") {
  ctnn::model<net> a{ctnn::seed{3}};
  ctnn::model<ctnn::sequential<ctnn::input<32>, ctnn::dense<64, ctnn::init::orthogonal<>>, ctnn::relu,
                               ctnn::dense<48, ctnn::init::orthogonal<>>, ctnn::tanh,
                               ctnn::dense<64, ctnn::init::orthogonal<>>, ctnn::relu,
                               ctnn::dense<10, ctnn::init::orthogonal<>>>>
      b{ctnn::seed{3}};
  REQUIRE(std::equal(a.parameters().begin(), a.parameters().end(), b.parameters().begin()));
}

TEST_CASE("lsuv: every layer's pre-activation variance on a fresh batch is 1 within tol", "[init][lsuv]") {
  constexpr std::size_t B = 1024;
  ctnn::model<net> m{ctnn::seed{7}};
  const auto cal = batch_of(B, 1);
  const auto reports = ctnn::init::apply_lsuv<lsuv>(m, cal.data(), B);
  REQUIRE(reports.size() == 4);
  for (const auto& r : reports) {
    INFO("module " << r.module << ": variance " << r.variance << " after " << r.iterations << " rescalings");
    CHECK(r.converged);
    CHECK(std::abs(r.variance - 1) < lsuv::tol);
  }
  CHECK(reports[0].iterations >= 1);  // the data's scale is far from 1: the first layer was rescaled

  const auto fresh = batch_of(B, 2);
  m.forward(fresh.data(), B);
  const auto inputs = ctnn::init::top_level_inputs(m, fresh.data());
  using root = ctnn::model<net>::root;
  std::size_t checked = 0;
  auto layer = [&]<std::size_t K>(std::integral_constant<std::size_t, K>) {
    using node = typename root::template child<K>;
    const float* w = m.parameters().data() + root::param_offset[K];
    const auto s = preactivation_stats(inputs[K], w, w + node::bias_offset, B, node::in, node::out);
    const double bound = lsuv::tol + 5 * std::sqrt(2.0) * s.se;
    INFO("layer " << K << ": fresh variance " << s.variance << ", standard error " << s.se << ", bound " << bound);
    CHECK(std::abs(s.variance - 1) < bound);
    CHECK(bound < 0.25);  // the bound is tight enough to mean something
    ++checked;
  };
  [&]<std::size_t... K>(std::index_sequence<K...>) {
    (layer(std::integral_constant<std::size_t, K>{}), ...);
  }(std::make_index_sequence<root::n>{});
  CHECK(checked == 4);
  m.detach_input();
}

TEST_CASE("lsuv: without calibration the variances are far from 1", "[init][lsuv]") {
  // The control: the test above would not pass for the orthogonal pre-initialization alone.
  constexpr std::size_t B = 1024;
  ctnn::model<net> m{ctnn::seed{7}};
  const auto x = batch_of(B, 2);
  m.forward(x.data(), B);
  const auto inputs = ctnn::init::top_level_inputs(m, x.data());
  using root = ctnn::model<net>::root;
  const float* w = m.parameters().data();
  const double v0 = ctnn::init::preactivation_variance(inputs[0], w, w + root::child<0>::bias_offset, B, 32, 64);
  CHECK(std::abs(v0 - 1) > 0.5);
  m.detach_input();
}
