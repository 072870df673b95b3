// Gradient check: the analytic gradient (value_and_grad, through the fused SIMD kernels) against
// central finite differences, in double, for every activation (fused after a dense layer and
// standalone), residual and repeat blocks, flatten, and both losses.
#include <catch2/catch.hpp>
#include <ctnn/ctnn.hpp>
#include <support/numeric_gradient.hpp>

namespace {

template <class Act>
using test_net = ctnn::sequential<
    ctnn::input<5>,
    ctnn::dense<7, ctnn::init::xavier_uniform<>>, Act,
    ctnn::residual<ctnn::dense<6, ctnn::init::xavier_uniform<>>, Act, ctnn::dense<7, ctnn::init::xavier_uniform<>>>,
    Act,
    ctnn::repeat<2, ctnn::dense<7, ctnn::init::xavier_uniform<>>, Act>,
    ctnn::flatten,
    ctnn::dense<3, ctnn::init::xavier_uniform<>>>;

template <class Net, class LossFn, class Target>
void check_gradient(const std::vector<Target>& targets, std::size_t batch) {
  ctnn::model<Net, double> m{ctnn::seed{7}};
  ctnn::rng g(3);
  std::vector<double> x(batch * 5);
  for (auto& v : x) v = g.uniform(-1.5, 1.5);

  const double* y = m.forward(x.data(), batch);
  double* dy = m.output_gradient();
  LossFn::value_and_grad(y, targets.data(), batch, 3, dy);
  m.backward(dy);
  std::vector<double> analytic(m.gradients().begin(), m.gradients().end());
  const auto numeric = ctnn_test::numeric_gradient<ctnn::model<Net, double>, LossFn>(m, x, targets, batch);

  const double err = ctnn_test::relative_error(analytic, numeric);
  INFO("relative error " << err);
  CHECK(err < 1e-6);
  // Elementwise too: an error concentrated in one small slot would hide in the global norm.
  for (const auto& s : ctnn::model<Net, double>::slots)
    for (std::size_t i = s.offset; i < s.offset + s.size(); ++i) {
      INFO(s.name() << "[" << i - s.offset << "] analytic " << analytic[i] << " numeric " << numeric[i]);
      REQUIRE(std::abs(analytic[i] - numeric[i]) <= 1e-6 * std::max(std::abs(analytic[i]), std::abs(numeric[i])) + 1e-9);
    }
}

}  // namespace

TEMPLATE_LIST_TEST_CASE("gradient of every activation, residual, repeat and loss matches finite differences",
                        "[laws][gradient]", ctnn::all_activations) {
  using net = test_net<TestType>;
  const std::size_t batch = 4;
  SECTION("softmax cross-entropy") {
    check_gradient<net, ctnn::loss::softmax_cross_entropy>(std::vector<std::int32_t>{0, 2, 1, 2}, batch);
  }
  SECTION("mean squared error") {
    ctnn::rng g(11);
    std::vector<double> t(batch * 3);
    for (auto& v : t) v = g.uniform(-1, 1);
    check_gradient<net, ctnn::loss::mse>(t, batch);
  }
}

TEST_CASE("gradient accumulation adds to the arena", "[laws][gradient]") {
  using net = test_net<ctnn::tanh>;
  ctnn::model<net, double> m{ctnn::seed{1}};
  std::vector<double> x(2 * 5, 0.3);
  std::vector<std::int32_t> t{1, 2};
  ctnn::trainer tr{m, ctnn::loss::softmax_cross_entropy{}, ctnn::optim::sgd{}};
  tr.forward_backward(x.data(), t.data(), 2);
  std::vector<double> once(m.gradients().begin(), m.gradients().end());
  tr.forward_backward(x.data(), t.data(), 2, /*accumulate=*/true);
  for (std::size_t i = 0; i < once.size(); ++i) REQUIRE(m.gradients()[i] == Approx(2 * once[i]).margin(1e-15));
}
