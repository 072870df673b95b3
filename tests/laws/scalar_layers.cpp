// Fixup's scalar layers: scalar_bias (y = x + b) and scalar_scale (y = s·x), one learnable scalar
// each. Gradient check in double against central finite differences (same bound as
// gradient_check.cpp), inside and outside a residual block, with the scalars moved away from
// their init (b = 0 and s = 1 would hide a missing term); names, shapes and init.
#include <catch2/catch.hpp>
#include <cmath>
#include <string>
#include <vector>
#include <ctnn/ctnn.hpp>
#include <support/numeric_gradient.hpp>

namespace {

using xavier = ctnn::init::xavier_uniform<>;
using sb = ctnn::scalar_bias;
using ss = ctnn::scalar_scale;
using net = ctnn::sequential<
    ctnn::input<5>, sb, ctnn::dense<7, xavier>, ss, ctnn::tanh,
    ctnn::residual<sb, ctnn::dense<7, xavier>, sb, ctnn::relu, sb, ctnn::dense<7, xavier>, ss, sb>,
    ctnn::residual<sb, ctnn::dense<7, xavier>, ss>, ss, ctnn::dense<3, xavier>>;
using model_t = ctnn::model<net, double>;

}  // namespace

TEST_CASE("scalar_bias, scalar_scale: names, shapes and init", "[laws][scalar]") {
  CHECK(model_t::parameter_names() ==
        std::vector<std::string>{"0.bias", "1.weight", "1.bias", "2.scale", "4.0.bias", "4.1.weight", "4.1.bias",
                                 "4.2.bias", "4.4.bias", "4.5.weight", "4.5.bias", "4.6.scale", "4.7.bias",
                                 "5.0.bias", "5.1.weight", "5.1.bias", "5.2.scale", "6.scale", "7.weight",
                                 "7.bias"});
  model_t m{ctnn::seed{1}};
  for (const char* name : {"0.bias", "4.0.bias", "4.2.bias", "4.7.bias"}) {
    auto b = m.parameter(name);
    REQUIRE(b.dimension() == 1);
    REQUIRE(b.shape()[0] == 1);
    CHECK(b(0) == 0.0);
  }
  for (const char* name : {"2.scale", "4.6.scale", "6.scale"}) {
    auto s = m.parameter(name);
    REQUIRE(s.shape()[0] == 1);
    CHECK(s(0) == 1.0);
  }
  CHECK(model_t::slot("0.bias").role == ctnn::slot_role::bias);
  CHECK(model_t::slot("2.scale").role == ctnn::slot_role::weight);
  CHECK_FALSE(ctnn::optim::decays(model_t::slot("2.scale"), false));  // a gain, not a matrix
}

TEST_CASE("scalar_bias, scalar_scale: forward is x + b and s·x", "[laws][scalar]") {
  using small = ctnn::sequential<ctnn::input<3>, sb, ss>;
  ctnn::model<small, float> m;
  m.parameter("0.bias")(0) = 0.5f;
  m.parameter("1.scale")(0) = -2.0f;
  const std::vector<float> x{1, 2, 3, -1, 0, 4};
  const float* y = m.forward(x.data(), 2);
  for (std::size_t i = 0; i < 6; ++i) CHECK(y[i] == -2.0f * (x[i] + 0.5f));
  m.detach_input();
}

TEST_CASE("scalar_bias, scalar_scale: gradient matches finite differences", "[laws][scalar][gradient]") {
  model_t m{ctnn::seed{7}};
  ctnn::rng g(5);
  for (const auto& s : model_t::slots)
    if (s.size() == 1) m.parameters()[s.offset] = s.role == ctnn::slot_role::bias ? g.uniform(-0.5, 0.5) : g.uniform(0.5, 1.5);
  constexpr std::size_t batch = 4;
  std::vector<double> x(batch * 5);
  for (auto& v : x) v = g.uniform(-1.5, 1.5);
  const std::vector<std::int32_t> t{0, 2, 1, 2};
  const double* y = m.forward(x.data(), batch);
  ctnn::loss::softmax_cross_entropy::value_and_grad(y, t.data(), batch, 3, m.output_gradient());
  m.backward(m.output_gradient());
  std::vector<double> analytic(m.gradients().begin(), m.gradients().end());
  const auto numeric = ctnn_test::numeric_gradient<model_t, ctnn::loss::softmax_cross_entropy>(m, x, t, batch);
  const double err = ctnn_test::relative_error(analytic, numeric);
  INFO("relative error " << err);
  CHECK(err < 1e-6);
  for (const auto& s : model_t::slots)
    for (std::size_t i = s.offset; i < s.offset + s.size(); ++i) {
      INFO(s.name() << "[" << i - s.offset << "] analytic " << analytic[i] << " numeric " << numeric[i]);
      REQUIRE(std::abs(analytic[i] - numeric[i]) <= 1e-6 * std::max(std::abs(analytic[i]), std::abs(numeric[i])) + 1e-9);
    }
  // Not vacuous: every scalar has a non-zero gradient.
  for (const auto& s : model_t::slots)
    if (s.size() == 1) {
      INFO(s.name());
      CHECK(std::abs(analytic[s.offset]) > 1e-6);
    }
}

TEST_CASE("scalar_bias, scalar_scale: accumulate adds to the gradient arena", "[laws][scalar][gradient]") {
  model_t m{ctnn::seed{2}};
  std::vector<double> x(2 * 5, 0.3);
  x[3] = -0.7;
  std::vector<std::int32_t> t{1, 2};
  ctnn::trainer tr{m, ctnn::loss::softmax_cross_entropy{}, ctnn::optim::sgd{}};
  tr.forward_backward(x.data(), t.data(), 2);
  std::vector<double> once(m.gradients().begin(), m.gradients().end());
  tr.forward_backward(x.data(), t.data(), 2, /*accumulate=*/true);
  for (std::size_t i = 0; i < once.size(); ++i) REQUIRE(m.gradients()[i] == Approx(2 * once[i]).margin(1e-15));
}
