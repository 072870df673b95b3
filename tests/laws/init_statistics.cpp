// Init policies against their formulas. Sample moments over n draws are compared with bounds
// derived from n: the sample mean has standard error σ/√n, the sample variance σ²·√((κ−1)/n)
// with κ the kurtosis (3 normal, 9/5 uniform). Bounds are 5 standard errors: a correct policy
// fails with probability < 1e-6, a wrong scale (even by 2%) fails for sure at n = 2^17.
#include <catch2/catch.hpp>
#include <cmath>
#include <vector>
#include <ctnn/ctnn.hpp>

namespace {

struct moments { double mean, variance; };

template <class Policy>
moments sample(ctnn::init::fans f, std::size_t n, std::uint64_t seed = 1) {
  std::vector<double> w(n);
  ctnn::rng g(seed);
  Policy::fill(std::span<double>(w), f, g);
  double m = 0;
  for (double v : w) m += v;
  m /= static_cast<double>(n);
  double var = 0;
  for (double v : w) var += (v - m) * (v - m);
  return {m, var / static_cast<double>(n - 1)};
}

template <class Policy>
void check_moments(ctnn::init::fans f, double mean, double variance, double kurtosis) {
  const std::size_t n = f.fan_in * f.fan_out;
  const auto s = sample<Policy>(f, n);
  const double sd = std::sqrt(variance);
  INFO("mean " << s.mean << " (want " << mean << "), variance " << s.variance << " (want " << variance << ")");
  CHECK(std::abs(s.mean - mean) <= 5 * sd / std::sqrt(static_cast<double>(n)));
  CHECK(std::abs(s.variance - variance) <= 5 * variance * std::sqrt((kurtosis - 1) / static_cast<double>(n)));
}

constexpr ctnn::init::fans f{.fan_in = 512, .fan_out = 256};
constexpr double normal_k = 3.0, uniform_k = 1.8;

}  // namespace

TEST_CASE("fixed-scale inits: normal<σ>, uniform<a>, constant", "[laws][init]") {
  namespace init = ctnn::init;
  check_moments<init::normal<0.01>>(f, 0.0, 1e-4, normal_k);
  check_moments<init::normal<0.5, 2.0>>(f, 2.0, 0.25, normal_k);
  check_moments<init::uniform<0.05>>(f, 0.0, 0.05 * 0.05 / 3, uniform_k);
  const auto c = sample<init::constant<0.25>>(f, 1000);
  CHECK(c.mean == 0.25);
  CHECK(c.variance == 0.0);
  CHECK(sample<init::zeros>(f, 1000).variance == 0.0);
}

TEST_CASE("variance-scaling inits follow Var w = gain²/fan", "[laws][init]") {
  namespace init = ctnn::init;
  const double in = 512, out = 256;
  check_moments<init::lecun_normal>(f, 0, 1 / in, normal_k);
  check_moments<init::lecun_uniform>(f, 0, 1 / in, uniform_k);
  check_moments<init::xavier_normal<>>(f, 0, 2 / (in + out), normal_k);
  check_moments<init::xavier_uniform<>>(f, 0, 2 / (in + out), uniform_k);
  check_moments<init::xavier_uniform<init::gain::tanh>>(f, 0, 25.0 / 9 * 2 / (in + out), uniform_k);
  check_moments<init::kaiming_normal<>>(f, 0, 2 / in, normal_k);
  check_moments<init::kaiming_normal<init::gain::relu, init::fan_mode::out>>(f, 0, 2 / out, normal_k);
  check_moments<init::kaiming_uniform<>>(f, 0, 2 / in, uniform_k);
  check_moments<init::kaiming_uniform<init::gain::leaky_relu<>>>(f, 0, 2 / (1 + 1e-4) / in, uniform_k);
  check_moments<init::kaiming_normal<init::gain::selu>>(f, 0, 0.5625 / in, normal_k);
  check_moments<init::critical<1.3>>(f, 0, 1.69 / in, normal_k);
}

TEST_CASE("uniform inits stay inside their bounds", "[laws][init]") {
  std::vector<float> w(100000);
  ctnn::rng g(4);
  ctnn::init::kaiming_uniform<>::fill(std::span<float>(w), f, g);
  const double a = std::sqrt(6.0 / 512);
  for (float v : w) REQUIRE(std::abs(v) <= a);
}

TEST_CASE("orthogonal<g> gives WᵀW = g²I (tall) and WWᵀ = g²I (wide) to 1e-5", "[laws][init]") {
  for (auto [rows, cols] : {std::pair<std::size_t, std::size_t>{64, 64}, {100, 37}, {37, 100}, {256, 784}}) {
    std::vector<float> w(rows * cols);
    ctnn::rng g(rows * 1000 + cols);
    ctnn::init::orthogonal<1.41421356237>::fill(std::span<float>(w), {.fan_in = cols, .fan_out = rows}, g);
    const bool tall = rows >= cols;
    const std::size_t k = tall ? cols : rows;
    double worst = 0;
    for (std::size_t i = 0; i < k; ++i)
      for (std::size_t j = 0; j < k; ++j) {
        double dot = 0;
        if (tall) for (std::size_t r = 0; r < rows; ++r) dot += double(w[r * cols + i]) * w[r * cols + j];
        else for (std::size_t c = 0; c < cols; ++c) dot += double(w[i * cols + c]) * w[j * cols + c];
        worst = std::max(worst, std::abs(dot - (i == j ? 2.0 : 0.0)));
      }
    INFO(rows << "x" << cols << ": max |WᵀW − g²I| = " << worst);
    CHECK(worst < 1e-5);
  }
}

TEST_CASE("identity init is the (rectangular) identity", "[laws][init]") {
  std::vector<double> w(3 * 5, 7.0);
  ctnn::rng g(1);
  ctnn::init::identity::fill(std::span<double>(w), {.fan_in = 5, .fan_out = 3}, g);
  for (std::size_t r = 0; r < 3; ++r)
    for (std::size_t c = 0; c < 5; ++c) CHECK(w[r * 5 + c] == (r == c ? 1.0 : 0.0));
}

TEST_CASE("critical init: σ_w puts tanh at χ₁ = 1, q* solves the length map", "[laws][init]") {
  namespace mf = ctnn::init::mean_field;
  CHECK(ctnn::init::critical_sigma_w(0.0) == 1.0);
  for (double sb : {0.05, 0.3, 1.0}) {
    const double sw = ctnn::init::critical_sigma_w(sb);
    INFO("σ_b " << sb << " → σ_w " << sw);
    CHECK(sw > 1.0);
    CHECK(mf::tanh_chi1(sw, sb) == Approx(1.0).epsilon(1e-9));
    const double q = mf::tanh_fixed_point(sw, sb);
    const double rhs = sw * sw * mf::gaussian_expectation([&](double z) { return std::pow(std::tanh(std::sqrt(q) * z), 2); }) + sb * sb;
    CHECK(q == Approx(rhs).epsilon(1e-10));
  }
  // Closed form check of the quadrature: E[z²] = 1, E[z⁴] = 3.
  CHECK(mf::gaussian_expectation([](double z) { return z * z; }) == Approx(1.0).epsilon(1e-12));
  CHECK(mf::gaussian_expectation([](double z) { return z * z * z * z; }) == Approx(3.0).epsilon(1e-12));
}

TEST_CASE("a policy's own bias draw is used; plain policies leave biases at zero", "[laws][init]") {
  using net = ctnn::sequential<ctnn::input<64>, ctnn::dense<512, ctnn::init::critical<1.2, 0.3>>, ctnn::tanh,
                               ctnn::dense<8, ctnn::init::with_bias<ctnn::init::lecun_normal, ctnn::init::constant<0.1>>>,
                               ctnn::dense<4>>;
  ctnn::model<net, double> m{ctnn::seed{2}};
  auto b0 = m.parameter("0.bias");
  double var = 0;
  for (double v : b0) var += v * v;
  var /= 512;
  CHECK(std::abs(var - 0.09) <= 5 * 0.09 * std::sqrt(2.0 / 512));
  for (double v : m.parameter("2.bias")) CHECK(v == 0.1);
  for (double v : m.parameter("3.bias")) CHECK(v == 0.0);
}
