// Activations and the cross-entropy value against long-double references where float or double
// arithmetic can lose them: NaN through relu, the small-|z| and negative tails of selu and
// softplus, and cross-entropy at large logits. Each case failed before its fix (the numbers in
// the layer headers' comments are the errors measured then).
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include <ctnn/ctnn.hpp>

namespace {

/// |got − want| / |want| in long double.
long double rel_error(long double got, long double want) { return std::fabs(got - want) / std::fabs(want); }

constexpr long double selu_lambda = 1.0507009873554804934193349852946L;
constexpr long double selu_alpha = 1.6732632423543772848170429916717L;

/// f on a scalar and on a full vector of the same value (the kernels' path); both must agree.
template <class A, class S>
std::vector<S> both_paths(S z, bool derivative) {
  using V = xsimd::batch<S>;
  const S scalar = derivative ? A::derivative(z) : A::forward(z);
  alignas(64) S lanes[V::size];
  (derivative ? A::derivative(V(z)) : A::forward(V(z))).store_aligned(lanes);
  return {scalar, lanes[0]};
}

/// A's value and derivative at z on the scalar and the vector path, against their limits there
/// (the derivative taken from y or z, as the layers' backward takes it).
template <class A, class S>
void check_limit(S z, S want_y, S want_dy) {
  using V = xsimd::batch<S>;
  const S y = A::forward(z);
  const S dy = A::derivative(A::derivative_from_output ? y : z);
  alignas(64) S yv[V::size], dyv[V::size];
  A::forward(V(z)).store_aligned(yv);
  A::derivative(A::derivative_from_output ? V(y) : V(z)).store_aligned(dyv);
  INFO(A::torch_name << " at z = " << z);
  CHECK(y == want_y);
  CHECK(yv[0] == want_y);
  CHECK(dy == want_dy);
  CHECK(dyv[0] == want_dy);
}

template <class S>
void check_limits_at_infinity() {
  const S inf = std::numeric_limits<S>::infinity();
  // selu's constants as the layer rounds them (λα a double product): its limits, not a reference.
  const S lambda = S(ctnn::selu::lambda), lambda_alpha = S(ctnn::selu::lambda * ctnn::selu::alpha);
  using leaky = ctnn::leaky_relu<>;
  const S slope = S(leaky::slope);
  check_limit<ctnn::identity>(-inf, -inf, S(1));
  check_limit<ctnn::identity>(inf, inf, S(1));
  check_limit<ctnn::relu>(-inf, S(0), S(0));
  check_limit<ctnn::relu>(inf, inf, S(1));
  check_limit<leaky>(-inf, -inf, slope);
  check_limit<leaky>(inf, inf, S(1));
  check_limit<ctnn::tanh>(-inf, S(-1), S(0));
  check_limit<ctnn::tanh>(inf, S(1), S(0));
  check_limit<ctnn::sigmoid>(-inf, S(0), S(0));
  check_limit<ctnn::sigmoid>(inf, S(1), S(0));
  check_limit<ctnn::gelu>(-inf, S(0), S(0));
  check_limit<ctnn::gelu>(inf, inf, S(1));
  check_limit<ctnn::selu>(-inf, -lambda_alpha, S(0));
  check_limit<ctnn::selu>(inf, inf, lambda);
  check_limit<ctnn::silu>(-inf, S(0), S(0));
  check_limit<ctnn::silu>(inf, inf, S(1));
  check_limit<ctnn::softplus>(-inf, S(0), S(0));
  check_limit<ctnn::softplus>(inf, inf, S(1));
}

}  // namespace

TEST_CASE("every activation and its derivative reach their limits at ±infinity", "[laws][activation]") {
  // gelu(−∞) and silu(−∞) were −∞·0, and their derivatives ∞·0 at both ends: NaN, where an
  // overflowing layer below should have passed a finite value on.
  check_limits_at_infinity<float>();
  check_limits_at_infinity<double>();
}

TEST_CASE("relu keeps NaN, scalar, vector and fused into a dense layer", "[laws][activation]") {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  for (float y : both_paths<ctnn::relu>(nan, false)) CHECK(std::isnan(y));
  for (float y : both_paths<ctnn::relu>(-2.0f, false)) CHECK(y == 0.0f);
  for (float y : both_paths<ctnn::relu>(3.0f, false)) CHECK(y == 3.0f);

  // A NaN weight reaches the output (the vector max returned 0 for it, and fit trained on).
  using net = ctnn::sequential<ctnn::input<4>, ctnn::dense<16>, ctnn::relu, ctnn::dense<2>>;
  ctnn::model<net> m{ctnn::seed{3}};
  m.parameter("0.weight")(0, 0) = nan;
  const xt::xtensor<float, 2> x{{1, 2, 3, 4}};
  const auto y = m.predict(x);
  CHECK(std::isnan(y(0, 0)));
  CHECK(std::isnan(y(0, 1)));
}

TEST_CASE("a relu network's NaN weight reaches the training loss; fit names it before training", "[laws][activation]") {
  using net = ctnn::sequential<ctnn::input<4>, ctnn::dense<8>, ctnn::relu, ctnn::dense<3>>;
  ctnn::model<net> m{ctnn::seed{5}};
  m.parameter("0.weight")(2, 1) = std::numeric_limits<float>::quiet_NaN();
  ctnn::data::labeled_dataset d;
  d.x = xt::ones<float>({std::size_t{8}, std::size_t{4}});
  d.y = xt::zeros<std::int32_t>({std::size_t{8}});
  d.classes = 3;
  // The training forward (the fused dense + relu kernel): the NaN reaches the loss and the output.
  ctnn::trainer tr{m, ctnn::loss::softmax_cross_entropy{}, ctnn::optim::sgd{.lr = 0.1f}};
  CHECK(std::isnan(tr.forward_backward(d.x.data(), d.y.data(), 4)));
  CHECK(m.first_nonfinite_output().find("module 0: dense<8>") != std::string::npos);
  CHECK_THROWS_WITH(ctnn::fit(m, ctnn::loss::softmax_cross_entropy{}, ctnn::optim::sgd{.lr = 0.1f}, d,
                              {.epochs = 2, .batch = 4, .progress = ctnn::progress_mode::quiet}),
                    Catch::Contains("the model's parameters are not finite before training: 0.weight (element 9 = nan)"));
}

TEST_CASE("selu: e^z − 1 as expm1, the derivative from z", "[laws][activation]") {
  for (float z : {-1e-8f, -1e-6f, -1e-4f, -0.3f, -5.0f}) {
    const long double want = selu_lambda * selu_alpha * std::expm1(static_cast<long double>(z));
    for (float y : both_paths<ctnn::selu>(z, false)) CHECK(rel_error(y, want) < 1e-6L);
  }
  static_assert(!ctnn::selu::derivative_from_output, "selu's derivative is taken from z");
  for (float z : {-17.0f, -25.0f, -1e-3f}) {
    const long double want = selu_lambda * selu_alpha * std::exp(static_cast<long double>(z));
    for (float d : both_paths<ctnn::selu>(z, true)) CHECK(rel_error(d, want) < 1e-6L);
  }
  for (double z : {-1e-8, -37.0}) {
    const long double want = selu_lambda * selu_alpha * std::expm1(static_cast<long double>(z));
    for (double y : both_paths<ctnn::selu>(z, false)) CHECK(rel_error(y, want) < 1e-14L);
  }
}

TEST_CASE("softplus: σ(z) from y keeps its precision in the negative tail", "[laws][activation]") {
  for (float z : {-17.0f, -25.0f, -60.0f, -1.0f, 0.0f, 4.0f}) {
    const long double want = 1.0L / (1.0L + std::exp(-static_cast<long double>(z)));
    const float y = ctnn::softplus::forward(z);
    for (float d : both_paths<ctnn::softplus>(y, true)) CHECK(rel_error(d, want) < 1e-6L);
  }
  for (double z : {-37.0, -50.0}) {
    const long double want = 1.0L / (1.0L + std::exp(-static_cast<long double>(z)));
    const double y = ctnn::softplus::forward(z);
    for (double d : both_paths<ctnn::softplus>(y, true)) CHECK(rel_error(d, want) < 1e-14L);
  }
}

TEST_CASE("cross-entropy's value at large logits", "[laws][loss]") {
  // log Σ e^{z_j − m} + (m − z_label): exact in float for logits 1e4 apart by small integers.
  const float z[3] = {1e4f, 1e4f + 1, 1e4f + 2};
  const long double want = std::log(1.0L + std::exp(1.0L) + std::exp(2.0L));  // label 0
  const std::int32_t label = 0;
  const float v = ctnn::loss::softmax_cross_entropy::value_and_grad(z, &label, 1, 3, static_cast<float*>(nullptr));
  CHECK(rel_error(v, want) < 1e-6L);
  std::vector<float> equal(10, 1e7f);
  const float u = ctnn::loss::softmax_cross_entropy::value_and_grad(equal.data(), &label, 1, 10, static_cast<float*>(nullptr));
  CHECK(rel_error(u, std::log(10.0L)) < 1e-6L);
}

TEST_CASE("value_and_grad checks labels in their own type before narrowing them", "[laws][loss]") {
  using net = ctnn::sequential<ctnn::input<2>, ctnn::dense<3>>;
  ctnn::model<net> m{ctnn::seed{1}};
  const xt::xtensor<float, 2> x{{1, 2}, {3, 4}};
  const auto ce = ctnn::loss::softmax_cross_entropy{};
  CHECK_THROWS_WITH(ctnn::value_and_grad(m, ce, x, xt::xtensor<std::int64_t, 1>{0, (std::int64_t{1} << 32) + 1}),
                    Catch::Contains("label 4294967297 of sample 1 is outside [0, 3)"));
  CHECK_THROWS_WITH(ctnn::value_and_grad(m, ce, x, xt::xtensor<std::size_t, 1>{(std::size_t{1} << 32) + 2, 0}),
                    Catch::Contains("label 4294967298 of sample 0 is outside [0, 3)"));
  CHECK_THROWS_WITH(ctnn::value_and_grad(m, ce, x, xt::xtensor<std::int64_t, 1>{0, -1}),
                    Catch::Contains("label -1 of sample 1"));
  CHECK_NOTHROW(ctnn::value_and_grad(m, ce, x, xt::xtensor<std::int64_t, 1>{2, 0}));
}
