// Gradient check of every norm layer (norm::all) against central finite differences, in double:
// standalone, inside a residual block, first in the network (no input gradient), and as the
// Norm policy of dense; in training mode (batch statistics) and, for batch_norm, in evaluation.
#include <catch2/catch.hpp>
#include <ctnn/ctnn.hpp>
#include <support/numeric_gradient.hpp>

namespace {

using xavier = ctnn::init::xavier_uniform<>;

template <class N>
using standalone_net = ctnn::sequential<ctnn::input<5>, ctnn::dense<8, xavier>, N, ctnn::tanh,
                                        ctnn::residual<ctnn::dense<6, xavier>, ctnn::tanh, ctnn::dense<8, xavier>, N>,
                                        ctnn::dense<3, xavier>>;
template <class N>
using first_net = ctnn::sequential<ctnn::input<4>, N, ctnn::dense<3, xavier>>;
template <class N>
using policy_net = ctnn::sequential<ctnn::input<5>, ctnn::dense<8, xavier, N>, ctnn::tanh, ctnn::dense<8, xavier, N>,
                                    ctnn::relu, ctnn::dense<3, xavier>>;

template <class Net>
void check_gradient(ctnn::mode mode, std::size_t train_steps = 0) {
  using model_type = ctnn::model<Net, double>;
  constexpr std::size_t batch = 6, in = model_type::in_features, out = model_type::out_features;
  model_type m{ctnn::seed{5}};
  ctnn::rng g(9);
  // γ and β away from 1 and 0, so that their roles in the VJP are exercised.
  for (const auto& s : model_type::slots)
    if (s.rank == 1 && s.role == ctnn::slot_role::weight)
      for (std::size_t i = 0; i < s.size(); ++i) m.parameters()[s.offset + i] = g.uniform(0.5, 1.5);
  std::vector<double> x(batch * in), t(batch * out);
  for (auto& v : x) v = g.uniform(-1.5, 1.5);
  for (auto& v : t) v = g.uniform(-1, 1);
  for (std::size_t k = 0; k < train_steps; ++k) m.forward(x.data(), batch);  // moves running stats
  m.set_mode(mode);

  const double* y = m.forward(x.data(), batch);
  double* dy = m.output_gradient();
  ctnn::loss::mse::value_and_grad(y, t.data(), batch, out, dy);
  m.backward(dy);
  std::vector<double> analytic(m.gradients().begin(), m.gradients().end());
  const auto numeric = ctnn_test::numeric_gradient<model_type, ctnn::loss::mse>(m, x, t, batch);
  const double err = ctnn_test::relative_error(analytic, numeric);
  INFO("relative error " << err);
  CHECK(err < 1e-6);
  for (const auto& s : model_type::slots)
    for (std::size_t i = s.offset; i < s.offset + s.size(); ++i) {
      INFO(s.name() << "[" << i - s.offset << "] analytic " << analytic[i] << " numeric " << numeric[i]);
      REQUIRE(std::abs(analytic[i] - numeric[i]) <= 1e-6 * std::max(std::abs(analytic[i]), std::abs(numeric[i])) + 1e-9);
    }
}

}  // namespace

TEMPLATE_LIST_TEST_CASE("gradient of every norm layer matches finite differences (training mode)",
                        "[norm][gradient]", ctnn::norm::all) {
  SECTION("standalone and in a residual block") { check_gradient<standalone_net<TestType>>(ctnn::mode::train); }
  SECTION("first layer") { check_gradient<first_net<TestType>>(ctnn::mode::train); }
  SECTION("as the Norm policy of dense") { check_gradient<policy_net<TestType>>(ctnn::mode::train); }
}

TEST_CASE("gradient of batch_norm in evaluation mode matches finite differences", "[norm][gradient]") {
  check_gradient<standalone_net<ctnn::norm::batch_norm<>>>(ctnn::mode::eval, 3);
  check_gradient<policy_net<ctnn::norm::batch_norm<0.3>>>(ctnn::mode::eval, 3);
}
