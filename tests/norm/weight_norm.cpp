// weight_norm: gradient check (double, finite differences) with the backward fusion of the
// neighbouring dense layers, w = g v/‖v‖ at init equal to v, PyTorch's names.
#include <cmath>
#include <string>
#include <vector>
#include <catch2/catch.hpp>
#include <ctnn/ctnn.hpp>
#include <support/numeric_gradient.hpp>

namespace {
using xavier = ctnn::init::xavier_uniform<>;
using wn = ctnn::norm::weight_norm;
using net = ctnn::sequential<ctnn::input<5>, ctnn::dense<8, xavier, wn>, ctnn::tanh, ctnn::dense<8, xavier, wn>,
                             ctnn::gelu, ctnn::dense<6, xavier>, ctnn::relu, ctnn::dense<3, xavier, wn>>;
using model_type = ctnn::model<net, double>;
}  // namespace

TEST_CASE("weight_norm: gradient matches finite differences", "[norm][weight_norm][gradient]") {
  model_type m{ctnn::seed{4}};
  ctnn::rng g(8);
  for (std::size_t i = 0; i < 8; ++i) m.parameter("0.weight_g")(i, 0) = g.uniform(0.5, 2.0);  // g ≠ ‖v‖
  constexpr std::size_t batch = 5;
  std::vector<double> x(batch * 5), t(batch * 3);
  for (auto& v : x) v = g.uniform(-1.5, 1.5);
  for (auto& v : t) v = g.uniform(-1, 1);
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

TEST_CASE("weight_norm: g = ‖v‖ at init, names as PyTorch", "[norm][weight_norm]") {
  model_type m{ctnn::seed{1}};
  auto v = m.parameter("0.weight_v");
  auto gn = m.parameter("0.weight_g");
  REQUIRE(v.shape()[1] == 5);
  for (std::size_t o = 0; o < 8; ++o) {
    double s = 0;
    for (std::size_t i = 0; i < 5; ++i) s += v(o, i) * v(o, i);
    CHECK(gn(o, 0) == Approx(std::sqrt(s)).epsilon(1e-15));
  }
  CHECK(model_type::parameter_names() ==
        std::vector<std::string>{"0.bias", "0.weight_g", "0.weight_v", "2.bias", "2.weight_g", "2.weight_v",
                                 "4.weight", "4.bias", "6.bias", "6.weight_g", "6.weight_v"});
  CHECK(model_type::buffer_slot_count == 0);
}
