// spectral_norm: gradient check (double, finite differences; in evaluation mode, where u and v
// are fixed so the loss is a function of the parameters), the power iteration reaching σ_max,
// PyTorch's names.
#include <cmath>
#include <string>
#include <vector>
#include <catch2/catch.hpp>
#include <ctnn/ctnn.hpp>
#include <support/numeric_gradient.hpp>

namespace {
using xavier = ctnn::init::xavier_uniform<>;
using sn = ctnn::norm::spectral_norm;
using net = ctnn::sequential<ctnn::input<5>, ctnn::dense<8, xavier, sn>, ctnn::tanh, ctnn::dense<7, xavier, sn>,
                             ctnn::gelu, ctnn::dense<6, xavier>, ctnn::relu, ctnn::dense<3, xavier, sn>>;
using model_type = ctnn::model<net, double>;
}  // namespace

TEST_CASE("spectral_norm: gradient matches finite differences", "[norm][spectral_norm][gradient]") {
  model_type m{ctnn::seed{4}};
  ctnn::rng g(8);
  constexpr std::size_t batch = 5;
  std::vector<double> x(batch * 5), t(batch * 3);
  for (auto& v : x) v = g.uniform(-1.5, 1.5);
  for (auto& v : t) v = g.uniform(-1, 1);
  for (int k = 0; k < 3; ++k) m.forward(x.data(), batch);  // u, v away from their start
  m.eval();
  const double* y = m.forward(x.data(), batch);
  double* dy = m.output_gradient();
  ctnn::loss::mse::value_and_grad(y, t.data(), batch, 3, dy);
  m.backward(dy);
  std::vector<double> analytic(m.gradients().begin(), m.gradients().end());
  const auto numeric = ctnn_test::numeric_gradient<model_type, ctnn::loss::mse>(m, x, t, batch);
  CHECK(ctnn_test::relative_error(analytic, numeric) < 1e-6);
  for (const auto& s : model_type::slots)
    for (std::size_t i = s.offset; i < s.offset + s.size(); ++i) {
      INFO(s.name() << "[" << i - s.offset << "] analytic " << analytic[i] << " numeric " << numeric[i]);
      REQUIRE(std::abs(analytic[i] - numeric[i]) <= 1e-6 * std::max(std::abs(analytic[i]), std::abs(numeric[i])) + 1e-9);
    }
}

TEST_CASE("spectral_norm: one power step per training forward reaches σ_max; names as PyTorch",
          "[norm][spectral_norm]") {
  model_type m{ctnn::seed{2}};
  std::vector<double> x(2 * 5, 0.1);
  for (int k = 0; k < 300; ++k) m.forward(x.data(), 2);
  // Scalar reference: σ_max² = the top eigenvalue of WᵀW, by 5000 power steps.
  auto w = m.parameter("0.weight_orig");
  std::vector<double> q(5, 1.0), r(5);
  double lambda = 0;
  for (int it = 0; it < 5000; ++it) {
    std::vector<double> wq(8, 0.0);
    for (std::size_t o = 0; o < 8; ++o)
      for (std::size_t i = 0; i < 5; ++i) wq[o] += w(o, i) * q[i];
    double n = 0;
    for (std::size_t i = 0; i < 5; ++i) {
      r[i] = 0;
      for (std::size_t o = 0; o < 8; ++o) r[i] += w(o, i) * wq[o];
      n += r[i] * r[i];
    }
    lambda = std::sqrt(n);
    for (std::size_t i = 0; i < 5; ++i) q[i] = r[i] / lambda;
  }
  auto u = m.buffer("0.weight_u");
  auto v = m.buffer("0.weight_v");
  double sigma = 0;
  for (std::size_t o = 0; o < 8; ++o)
    for (std::size_t i = 0; i < 5; ++i) sigma += u(o) * w(o, i) * v(i);
  CHECK(sigma == Approx(std::sqrt(lambda)).epsilon(1e-9));

  CHECK(model_type::parameter_names() ==
        std::vector<std::string>{"0.bias", "0.weight_orig", "2.bias", "2.weight_orig", "4.weight", "4.bias", "6.bias",
                                 "6.weight_orig"});
  CHECK(model_type::buffer_names() == std::vector<std::string>{"0.weight_u", "0.weight_v", "2.weight_u", "2.weight_v",
                                                               "6.weight_u", "6.weight_v"});
}
