// Norm layers: the promised statistics of their normalized outputs, batch_norm's running
// statistics against a scalar reference, evaluation mode, buffers apart from the optimizer, and
// PyTorch's state_dict names.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>
#include <catch2/catch.hpp>
#include <ctnn/ctnn.hpp>

namespace {

std::vector<double> random_input(std::size_t n, std::uint64_t seed, double scale = 2.0, double shift = 0.7) {
  ctnn::rng g(seed);
  std::vector<double> x(n);
  for (auto& v : x) v = shift + scale * g.uniform(-1, 1);
  return x;
}

// Group mean and biased variance of values[o + stride·k], k < count.
struct moments { double mean, var, mean_square; };
moments moments_of(const double* v, std::size_t count, std::size_t stride) {
  double s = 0, ss = 0;
  for (std::size_t k = 0; k < count; ++k) s += v[k * stride], ss += v[k * stride] * v[k * stride];
  const double mean = s / double(count);
  double var = 0;
  for (std::size_t k = 0; k < count; ++k) var += (v[k * stride] - mean) * (v[k * stride] - mean);
  return {mean, var / double(count), ss / double(count)};
}

// The normalized variance is σ²/(σ² + ε): 1 up to ε/σ². Inputs here have σ² ≥ 0.05 per group,
// so |var − 1| ≤ 1e-5/0.05 = 2e-4; the means are 0 up to round-off (1e-12).
constexpr double var_tol = 2e-4, mean_tol = 1e-12;

}  // namespace

TEST_CASE("batch_norm normalizes each feature over the batch", "[norm][statistics]") {
  using net = ctnn::sequential<ctnn::input<5>, ctnn::norm::batch_norm<>>;
  ctnn::model<net, double> m;
  const std::size_t batch = 32;
  const auto x = random_input(batch * 5, 1);
  const double* y = m.forward(x.data(), batch);
  for (std::size_t j = 0; j < 5; ++j) {
    const auto mx = moments_of(x.data() + j, batch, 5);
    REQUIRE(mx.var > 0.05);
    const auto my = moments_of(y + j, batch, 5);
    CHECK(std::abs(my.mean) < mean_tol);
    CHECK(my.var == Approx(mx.var / (mx.var + 1e-5)).epsilon(1e-12));
    CHECK(std::abs(my.var - 1) < var_tol);
  }
}

TEST_CASE("layer_norm normalizes each sample over its features", "[norm][statistics]") {
  using net = ctnn::sequential<ctnn::input<7>, ctnn::norm::layer_norm<>>;
  ctnn::model<net, double> m;
  const auto x = random_input(4 * 7, 2);
  const double* y = m.forward(x.data(), 4);
  for (std::size_t b = 0; b < 4; ++b) {
    const auto mx = moments_of(x.data() + b * 7, 7, 1);
    REQUIRE(mx.var > 0.05);
    const auto my = moments_of(y + b * 7, 7, 1);
    CHECK(std::abs(my.mean) < mean_tol);
    CHECK(my.var == Approx(mx.var / (mx.var + 1e-5)).epsilon(1e-12));
  }
}

TEST_CASE("rms_norm gives each sample a root mean square of 1", "[norm][statistics]") {
  using net = ctnn::sequential<ctnn::input<7>, ctnn::norm::rms_norm<>>;
  ctnn::model<net, double> m;
  const auto x = random_input(4 * 7, 3);
  const double* y = m.forward(x.data(), 4);
  for (std::size_t b = 0; b < 4; ++b) {
    const auto mx = moments_of(x.data() + b * 7, 7, 1);
    const auto my = moments_of(y + b * 7, 7, 1);
    CHECK(my.mean_square == Approx(mx.mean_square / (mx.mean_square + 1e-6)).epsilon(1e-12));
    CHECK(std::abs(my.mean_square - 1) < 1e-6 / 0.05);
    // Direction kept: y = x / rms(x).
    CHECK(y[b * 7] * std::sqrt(mx.mean_square + 1e-6) == Approx(x[b * 7]).epsilon(1e-12));
  }
}

TEST_CASE("group_norm normalizes each group of each sample", "[norm][statistics]") {
  using net = ctnn::sequential<ctnn::input<12>, ctnn::norm::group_norm<3>>;
  ctnn::model<net, double> m;
  const auto x = random_input(5 * 12, 4);
  const double* y = m.forward(x.data(), 5);
  for (std::size_t b = 0; b < 5; ++b)
    for (std::size_t grp = 0; grp < 3; ++grp) {
      const auto mx = moments_of(x.data() + b * 12 + grp * 4, 4, 1);
      REQUIRE(mx.var > 0.05);
      const auto my = moments_of(y + b * 12 + grp * 4, 4, 1);
      CHECK(std::abs(my.mean) < mean_tol);
      CHECK(my.var == Approx(mx.var / (mx.var + 1e-5)).epsilon(1e-12));
    }
}

TEST_CASE("batch_norm's running statistics follow PyTorch's update rule; evaluation uses them",
          "[norm][running]") {
  constexpr double momentum = 0.3, eps = 1e-3;
  constexpr std::size_t F = 3;
  using net = ctnn::sequential<ctnn::input<F>, ctnn::norm::batch_norm<momentum, eps>>;
  ctnn::model<net, double> m;
  std::vector<double> rm(F, 0.0), rv(F, 1.0);  // the scalar reference
  const std::size_t batches[] = {4, 7, 2};
  for (std::size_t step = 0; step < 3; ++step) {
    const std::size_t B = batches[step];
    const auto x = random_input(B * F, 10 + step, 1.0 + double(step), double(step));
    m.forward(x.data(), B);
    for (std::size_t j = 0; j < F; ++j) {
      double mean = 0, var = 0;
      for (std::size_t b = 0; b < B; ++b) mean += x[b * F + j];
      mean /= double(B);
      for (std::size_t b = 0; b < B; ++b) var += (x[b * F + j] - mean) * (x[b * F + j] - mean);
      rm[j] = (1 - momentum) * rm[j] + momentum * mean;
      rv[j] = (1 - momentum) * rv[j] + momentum * var / double(B - 1);
      INFO("step " << step << " feature " << j);
      CHECK(m.buffer("0.running_mean")(j) == Approx(rm[j]).epsilon(1e-13));
      CHECK(m.buffer("0.running_var")(j) == Approx(rv[j]).epsilon(1e-13));
    }
  }

  // Evaluation: y = γ (x − running_mean)/√(running_var + ε) + β, buffers unchanged.
  auto gamma = m.parameter("0.weight");
  auto beta = m.parameter("0.bias");
  for (std::size_t j = 0; j < F; ++j) gamma(j) = 0.5 + double(j), beta(j) = -0.25 * double(j);
  const std::vector<double> before(m.buffers().begin(), m.buffers().end());
  m.eval();
  const auto x = random_input(1 * F, 99);  // one sample: fine in evaluation
  const double* y = m.forward(x.data(), 1);
  for (std::size_t j = 0; j < F; ++j)
    CHECK(y[j] == Approx(gamma(j) * (x[j] - rm[j]) / std::sqrt(rv[j] + eps) + beta(j)).epsilon(1e-13));
  CHECK(std::equal(before.begin(), before.end(), m.buffers().begin()));

  // predict() runs in evaluation mode whatever the model's mode, and restores it.
  m.train();
  xt::xtensor<double, 2> xt_in = xt::zeros<double>({std::size_t{1}, F});
  for (std::size_t j = 0; j < F; ++j) xt_in(0, j) = x[j];
  const auto yp = m.predict(xt_in);
  for (std::size_t j = 0; j < F; ++j) CHECK(yp(0, j) == Approx(y[j]).epsilon(1e-15));
  CHECK(m.current_mode() == ctnn::mode::train);
  CHECK(std::equal(before.begin(), before.end(), m.buffers().begin()));

  // Training needs more than one sample per feature, as in PyTorch.
  CHECK_THROWS_AS(m.forward(x.data(), 1), ctnn::error);
}

TEST_CASE("buffers get no gradient and no optimizer update", "[norm][buffers]") {
  using net = ctnn::sequential<ctnn::input<4>, ctnn::dense<6, ctnn::init::xavier_uniform<>, ctnn::norm::batch_norm<>>,
                               ctnn::relu, ctnn::dense<2>>;
  using model_type = ctnn::model<net, double>;
  model_type m{ctnn::seed{3}};
  const auto x = random_input(8 * 4, 5);
  std::vector<std::int32_t> t{0, 1, 1, 0, 1, 0, 0, 1};
  ctnn::trainer tr{m, ctnn::loss::softmax_cross_entropy{}, ctnn::optim::sgd{.lr = 0.5f, .momentum = 0.9f, .weight_decay = 0.1f}};
  for (int step = 0; step < 3; ++step) {
    tr.forward_backward(x.data(), t.data(), 8);
    const std::vector<double> after_forward(m.buffers().begin(), m.buffers().end());
    const std::vector<double> params_before(m.parameters().begin(), m.parameters().end());
    tr.apply_update();
    CHECK(std::equal(after_forward.begin(), after_forward.end(), m.buffers().begin()));
    CHECK_FALSE(std::equal(params_before.begin(), params_before.end(), m.parameters().begin()));
  }
  // The running statistics moved during training (the check above could not pass vacuously).
  CHECK(m.buffer("1.running_var")(0) != 1.0);
  for (const auto& s : model_type::slots) CHECK(s.role != ctnn::slot_role::buffer);
}

TEST_CASE("norm parameters and buffers are named as PyTorch's nn.Sequential state_dict", "[norm][names]") {
  using ctnn::norm::batch_norm;
  // nn.Sequential(Linear(8,16), BatchNorm1d(16), ReLU(), Linear(16,8), LayerNorm(8), GroupNorm(2,8),
  //               RMSNorm(8), Linear(8,3))
  using net = ctnn::sequential<ctnn::input<8>, ctnn::dense<16, ctnn::init::kaiming_normal<>, batch_norm<>>, ctnn::relu,
                               ctnn::dense<8>, ctnn::norm::layer_norm<>, ctnn::norm::group_norm<2>,
                               ctnn::norm::rms_norm<>, ctnn::dense<3>>;
  using model_type = ctnn::model<net, double>;
  CHECK(model_type::parameter_names() ==
        std::vector<std::string>{"0.weight", "0.bias", "1.weight", "1.bias", "3.weight", "3.bias", "4.weight",
                                 "4.bias", "5.weight", "5.bias", "6.weight", "7.weight", "7.bias"});
  CHECK(model_type::buffer_names() == std::vector<std::string>{"1.running_mean", "1.running_var"});
  CHECK(model_type::root::modules == 8);
  model_type m;
  CHECK(m.parameter("1.weight").shape()[0] == 16);
  CHECK(m.buffer("1.running_var")(15) == 1.0);
  CHECK(m.buffer("1.running_mean")(15) == 0.0);
  CHECK_THROWS_AS(m.buffer("1.weight"), ctnn::error);

  // Nested: Sequential(Sequential-like residual body (Linear, BatchNorm1d), Linear).
  using res = ctnn::sequential<ctnn::input<4>, ctnn::residual<ctnn::dense<4>, batch_norm<>>, ctnn::dense<2>>;
  CHECK(ctnn::model<res>::buffer_names() == std::vector<std::string>{"0.1.running_mean", "0.1.running_var"});
  CHECK(ctnn::model<res>::parameter_names() ==
        std::vector<std::string>{"0.0.weight", "0.0.bias", "0.1.weight", "0.1.bias", "1.weight", "1.bias"});
}

TEST_CASE("evaluate runs in evaluation mode and restores the mode", "[norm][mode]") {
  using net = ctnn::sequential<ctnn::input<2>, ctnn::norm::batch_norm<>, ctnn::dense<2>>;
  ctnn::model<net> m;
  ctnn::data::labeled_dataset d;
  d.x = xt::zeros<float>({std::size_t{1}, std::size_t{2}});  // one sample: would throw in training
  d.y = xt::zeros<std::int32_t>({std::size_t{1}});
  CHECK_NOTHROW(ctnn::evaluate(m, d, ctnn::metric::accuracy{}));
  CHECK(m.current_mode() == ctnn::mode::train);
}
