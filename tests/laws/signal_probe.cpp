// diag::signal_probe against the variance law and against direct computation.
#include <catch2/catch.hpp>
#include <cmath>
#include <ctnn/ctnn.hpp>

namespace {

template <class Init>
using relu_mlp = ctnn::sequential<ctnn::input<256>, ctnn::repeat<16, ctnn::dense<256, Init>, ctnn::relu>,
                                  ctnn::dense<10, ctnn::init::xavier_uniform<>>>;

template <class Init>
ctnn::diag::signal_table probe(std::uint64_t seed) {
  ctnn::model<relu_mlp<Init>, double> m{ctnn::seed{seed}};
  ctnn::rng g(seed + 100);
  const std::size_t batch = 256;
  std::vector<double> x(batch * 256);
  for (auto& v : x) v = g.normal();
  std::vector<std::int32_t> y(batch);
  for (auto& v : y) v = static_cast<std::int32_t>(g.below(10));
  return ctnn::diag::signal_probe(m, ctnn::loss::softmax_cross_entropy{}, x.data(), y.data(), batch);
}

/// Geometric-mean factor per layer between hidden layers a and b of a column.
template <class F>
double factor(const ctnn::diag::signal_table& t, std::size_t a, std::size_t b, F column) {
  return std::pow(column(t.rows[b]) / column(t.rows[a]), 1.0 / static_cast<double>(b - a));
}

}  // namespace

TEST_CASE("signal probe follows the ReLU variance law √(nσ²/2) per layer", "[laws][diag]") {
  // n = 256: kaiming (σ² = 2/n) → 1; normal<0.05> → √(256·0.0025/2) = 0.5657.
  // Finite width and a finite batch make each layer's factor fluctuate by O(1/√n); over 14
  // layers the geometric mean is within a few percent: we allow 5%.
  auto fwd = [](const auto& r) { return r.forward_rms; };
  auto bwd = [](const auto& r) { return r.backward_rms; };
  const auto k = probe<ctnn::init::kaiming_normal<>>(1);
  REQUIRE(k.rows.size() == 17);
  CHECK(factor(k, 1, 15, fwd) == Approx(1.0).epsilon(0.05));
  CHECK(factor(k, 1, 15, bwd) == Approx(1.0).epsilon(0.05));
  const auto s = probe<ctnn::init::normal<0.05>>(2);
  const double predicted = std::sqrt(256 * 0.0025 / 2);
  CHECK(factor(s, 1, 15, fwd) == Approx(predicted).epsilon(0.05));
  // Backward runs from the output towards the input: the signal at layer 1 is the one that
  // went through the most layers, so the factor from 15 down to 1 is the predicted one.
  CHECK(1.0 / factor(s, 1, 15, bwd) == Approx(predicted).epsilon(0.05));
}

TEST_CASE("signal probe columns equal direct computations", "[laws][diag]") {
  using net = ctnn::sequential<ctnn::input<3>, ctnn::dense<4>, ctnn::tanh, ctnn::dense<2>>;
  ctnn::model<net, double> m{ctnn::seed{3}};
  std::vector<double> x{0.5, -1.0, 2.0, 1.5, 0.25, -0.75};
  std::vector<std::int32_t> y{1, 0};
  const auto t = ctnn::diag::signal_probe(m, ctnn::loss::softmax_cross_entropy{}, x.data(), y.data(), 2);
  REQUIRE(t.rows.size() == 2);
  CHECK(t.rows[0].module == 0);
  CHECK(t.rows[1].module == 2);
  // Last layer: e = (softmax(z) − onehot)/B, computed here from the logits.
  const auto logits = m.predict(xt::adapt(x, std::vector<std::size_t>{2, 3}));
  double s = 0;
  for (std::size_t i = 0; i < 2; ++i) {
    const double a = std::exp(logits(i, 0)), b = std::exp(logits(i, 1));
    for (std::size_t j = 0; j < 2; ++j) {
      const double e = ((j == 0 ? a : b) / (a + b) - (static_cast<std::int32_t>(j) == y[i] ? 1.0 : 0.0)) / 2;
      s += e * e;
    }
  }
  CHECK(t.rows[1].backward_rms == Approx(std::sqrt(s / 4)).epsilon(1e-12));
  // ‖∇W‖ from the gradient arena.
  double gw = 0;
  for (double v : m.gradient("2.weight")) gw += v * v;
  CHECK(t.rows[1].weight_grad_norm == Approx(std::sqrt(gw)).epsilon(1e-12));
  double w = 0;
  for (double v : m.parameter("0.weight")) w += v * v;
  CHECK(t.rows[0].weight_norm == Approx(std::sqrt(w)).epsilon(1e-12));
}

namespace {
template <class V>
double rms_of(const V& v) {
  double s = 0;
  for (double e : v) s += e * e;
  return std::sqrt(s / static_cast<double>(v.size()));
}
}  // namespace

TEST_CASE("signal probe on a two-channel image net: one row per layer, the conv's own signal", "[laws][diag]") {
  // The input and output layout transposes are not layers: they made rows of their own that carried
  // the next layer's module index and overwrote the conv's backward signal with theirs.
  using net = ctnn::sequential<ctnn::input<2, 3, 3>, ctnn::conv2d<3, 3, 1, 1>, ctnn::flatten, ctnn::dense<2>>;
  ctnn::model<net, double> m{ctnn::seed{4}};
  ctnn::rng g(7);
  std::vector<double> x(2 * 18), y(2 * 2);
  for (auto& v : x) v = g.normal();
  for (auto& v : y) v = g.normal();
  const auto t = ctnn::diag::signal_probe(m, ctnn::loss::mse{}, x.data(), y.data(), 2);
  REQUIRE(t.rows.size() == 3);
  for (std::size_t i = 0; i < 3; ++i) {
    CHECK(t.rows[i].module == i);
    CHECK(t.rows[i].layer.find("channels-last") == std::string::npos);
  }
  // ∂L/∂z of the conv is ∂L/∂(flatten's output) = dy · W of the dense layer, reordered (NCHW vs
  // channels-last), which leaves its RMS as it is. dy = 2 (ŷ − y) / (batch · outputs).
  const auto out = m.predict(xt::adapt(x, std::vector<std::size_t>{2, 2, 3, 3}));
  const auto w = m.parameter("2.weight");  // [2, 27]
  xt::xtensor<double, 2> dz = xt::zeros<double>({std::size_t{2}, std::size_t{27}});
  for (std::size_t b = 0; b < 2; ++b)
    for (std::size_t o = 0; o < 2; ++o) {
      const double dy = 2 * (out(b, o) - y[b * 2 + o]) / 4;
      for (std::size_t k = 0; k < 27; ++k) dz(b, k) += dy * w(o, k);
    }
  CHECK(t.rows[0].backward_rms == Approx(rms_of(dz)).epsilon(1e-12));
  double gw = 0;
  for (double v : m.gradient("0.weight")) gw += v * v;
  CHECK(t.rows[0].weight_grad_norm == Approx(std::sqrt(gw)).epsilon(1e-12));
  CHECK(t.rows[1].weight_grad_norm == 0);  // flatten has no weights
}

TEST_CASE("signal probe leaves buffers as they were and reads a folded layer's own output", "[laws][diag]") {
  using net = ctnn::sequential<ctnn::input<3>, ctnn::dense<4>, ctnn::norm::batch_norm<>, ctnn::relu, ctnn::dense<2>>;
  ctnn::model<net, double> m{ctnn::seed{8}};
  std::vector<double> x(4 * 3), big(100 * 3, 100.0);
  ctnn::rng g(9);
  for (auto& v : x) v = g.normal();
  std::vector<std::int32_t> y{0, 1, 1, 0}, ybig(100, 0);
  const std::vector<double> before(m.buffers().begin(), m.buffers().end());
  ctnn::diag::signal_probe(m, ctnn::loss::softmax_cross_entropy{}, x.data(), y.data(), 4);  // training mode
  CHECK(std::vector<double>(m.buffers().begin(), m.buffers().end()) == before);  // running statistics unmoved

  // Evaluation mode folds batch_norm into the dense kernel for batches ≥ In, which then does not
  // write the dense layer's own output: the probe read what the previous batch had left there.
  m.eval();
  ctnn::diag::signal_probe(m, ctnn::loss::softmax_cross_entropy{}, big.data(), ybig.data(), 100);
  const auto t = ctnn::diag::signal_probe(m, ctnn::loss::softmax_cross_entropy{}, x.data(), y.data(), 4);
  CHECK(m.folds_batch_norm());  // put back
  const auto w = m.parameter("0.weight");
  const auto b = m.parameter("0.bias");
  xt::xtensor<double, 2> z = xt::zeros<double>({std::size_t{4}, std::size_t{4}});
  for (std::size_t s = 0; s < 4; ++s)
    for (std::size_t o = 0; o < 4; ++o) {
      z(s, o) = b(o);
      for (std::size_t i = 0; i < 3; ++i) z(s, o) += x[s * 3 + i] * w(o, i);
    }
  REQUIRE(t.rows[0].module == 0);
  CHECK(t.rows[0].forward_rms == Approx(rms_of(z)).epsilon(1e-12));
}
