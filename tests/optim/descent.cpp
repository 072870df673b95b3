// Each optimizer descends on three standard problems, run in float with a cosine-annealed rate
// (sched::cosine through update_with_lr) over a fixed budget of steps:
//   * an ill-conditioned quadratic f = ½ Σ λ_i x_i², λ_i = 100^(i/19), 20 dims, x₀ = 1;
//   * Rosenbrock f = (1 − x)² + 100 (y − x²)² from (−1.2, 1);
//   * logistic regression on 200 synthetic points in 10 dims labelled by a random hyperplane
//     with 10% label noise ("separable-ish").
// Tolerances on f_T / f_0: quadratic < 1e-6; Rosenbrock < 1e-2 (f_0 = 24.2, so f_T < 0.24: past the
// valley's bend); logistic < 0.495 — with the label noise the problem is not separable and its
// minimum is f*/f_0 = 0.48893 (every optimizer measured reaches it to 5 digits), so 0.495 is
// within 1.3% of the optimum. Exception: RAdam on Rosenbrock < 1e-1 (measured 0.071): its first,
// un-rectified steps are plain momentum steps η m̂ of a gradient of norm ~230, so η must stay
// ≤ 6e-3 (1e-2 diverges), which is too slow for 3000 steps. Measured values: run with -s.
#include <catch2/catch.hpp>
#include <array>
#include <cmath>
#include <string>
#include <vector>
#include <ctnn/core/rng.hpp>
#include <ctnn/optim/all.hpp>
#include <ctnn/sched/cosine.hpp>

namespace {

namespace optim = ctnn::optim;

struct problem {
  std::size_t dim;
  std::vector<float> x0;
  // f(x) and ∇f(x) in double from the float iterate.
  double (*value_and_grad)(const problem&, const std::vector<float>&, std::vector<float>&);
  std::vector<double> data;  // logistic: rows of (features..., label)
};

double quadratic(const problem& pr, const std::vector<float>& x, std::vector<float>& g) {
  double f = 0;
  for (std::size_t i = 0; i < pr.dim; ++i) {
    const double l = std::pow(100.0, double(i) / double(pr.dim - 1));
    f += 0.5 * l * x[i] * x[i];
    g[i] = static_cast<float>(l * x[i]);
  }
  return f;
}

double rosenbrock(const problem&, const std::vector<float>& v, std::vector<float>& g) {
  const double x = v[0], y = v[1];
  g[0] = static_cast<float>(-2 * (1 - x) - 400 * x * (y - x * x));
  g[1] = static_cast<float>(200 * (y - x * x));
  return (1 - x) * (1 - x) + 100 * (y - x * x) * (y - x * x);
}

double logistic(const problem& pr, const std::vector<float>& w, std::vector<float>& g) {
  const std::size_t d = pr.dim, rows = pr.data.size() / (d + 1);
  std::vector<double> gd(d, 0.0);
  double f = 0;
  for (std::size_t r = 0; r < rows; ++r) {
    const double* row = pr.data.data() + r * (d + 1);
    double z = 0;
    for (std::size_t j = 0; j < d; ++j) z += w[j] * row[j];
    const double y = row[d];  // ±1
    f += std::log1p(std::exp(-y * z));
    const double s = -y / (1 + std::exp(y * z));
    for (std::size_t j = 0; j < d; ++j) gd[j] += s * row[j];
  }
  for (std::size_t j = 0; j < d; ++j) g[j] = static_cast<float>(gd[j] / double(rows));
  return f / double(rows);
}

problem make_quadratic() { return {20, std::vector<float>(20, 1.0f), quadratic, {}}; }
problem make_rosenbrock() { return {2, {-1.2f, 1.0f}, rosenbrock, {}}; }
problem make_logistic() {
  const std::size_t d = 10, rows = 200;
  ctnn::rng r(3);
  std::vector<double> w(d), data;
  for (auto& e : w) e = r.normal();
  for (std::size_t i = 0; i < rows; ++i) {
    double z = 0;
    for (std::size_t j = 0; j < d; ++j) {
      const double x = r.normal();
      data.push_back(x);
      z += x * w[j];
    }
    data.push_back((z > 0) != (r.uniform() < 0.1) ? 1.0 : -1.0);
  }
  return {d, std::vector<float>(d, 0.0f), logistic, data};
}

template <class O>
double final_ratio(const O& opt, const problem& pr, double lr, std::size_t steps) {
  std::vector<float> x = pr.x0, g(pr.dim);
  auto st = opt.template make_state<float>(pr.dim);
  const ctnn::sched::cosine schedule{.lr = lr, .total = steps, .min_lr = lr * 1e-3};
  const double f0 = pr.value_and_grad(pr, x, g);
  for (std::size_t t = 0; t < steps; ++t) {
    pr.value_and_grad(pr, x, g);
    opt.update_with_lr(x.data(), g.data(), st, pr.dim, static_cast<float>(schedule(t)));
  }
  return pr.value_and_grad(pr, x, g) / f0;
}

// Learning rates for (quadratic, Rosenbrock, logistic) and the tolerance on f_T / f_0 for each.
struct setting {
  std::array<double, 3> lr, tol;
};

template <class O>
void descends(const std::string& name, const O& opt, setting s) {
  static const problem problems[3] = {make_quadratic(), make_rosenbrock(), make_logistic()};
  static const char* names[3] = {"quadratic", "rosenbrock", "logistic"};
  for (int k = 0; k < 3; ++k) {
    const double r = final_ratio(opt, problems[k], s.lr[k], 3000);
    INFO(name << " on " << names[k] << ": f_T/f_0 = " << r << " (tolerance " << s.tol[k] << ")");
    CHECK(r < s.tol[k]);
  }
}

}  // namespace

TEST_CASE("every optimizer descends on a quadratic, Rosenbrock and logistic regression", "[optim][descent]") {
  descends("sgd", optim::sgd{}, {{1e-2, 1e-3, 1.0}, {1e-6, 1e-2, 0.495}});
  descends("sgd+momentum", optim::sgd{.momentum = 0.9f}, {{1e-2, 1e-3, 1.0}, {1e-6, 1e-2, 0.495}});
  descends("sgd+nesterov", optim::sgd{.momentum = 0.9f, .nesterov = true}, {{1e-2, 1e-3, 1.0}, {1e-6, 1e-2, 0.495}});
  descends("adagrad", optim::adagrad{}, {{0.5, 0.5, 0.5}, {1e-6, 1e-2, 0.495}});
  descends("adagrad_norm", optim::adagrad_norm{}, {{1.0, 1.0, 1.0}, {1e-6, 1e-2, 0.495}});
  descends("rmsprop", optim::rmsprop{}, {{1e-2, 3e-3, 1e-2}, {1e-6, 1e-2, 0.495}});
  descends("rmsprop centered", optim::rmsprop{.momentum = 0.5f, .centered = true}, {{1e-2, 3e-3, 1e-2}, {1e-6, 1e-2, 0.495}});
  descends("adadelta", optim::adadelta{}, {{10.0, 10.0, 10.0}, {1e-6, 1e-2, 0.495}});
  descends("adam", optim::adam{}, {{0.05, 0.02, 0.05}, {1e-6, 1e-2, 0.495}});
  descends("adamw", optim::adamw{.weight_decay = 0.0f}, {{0.05, 0.02, 0.05}, {1e-6, 1e-2, 0.495}});
  descends("amsgrad", optim::amsgrad{}, {{0.05, 0.02, 0.05}, {1e-6, 1e-2, 0.495}});
  descends("nadam", optim::nadam{}, {{0.05, 0.02, 0.05}, {1e-6, 1e-2, 0.495}});
  descends("radam", optim::radam{}, {{0.05, 6e-3, 0.05}, {1e-6, 1e-1, 0.495}});
  descends("adabound", optim::adabound{.final_lr = 0.01f}, {{0.05, 5e-3, 0.05}, {1e-6, 1e-2, 0.495}});
  descends("amsbound", optim::amsbound{.final_lr = 0.01f}, {{0.05, 5e-3, 0.05}, {1e-6, 1e-2, 0.495}});
  descends("yogi", optim::yogi{}, {{0.05, 0.02, 0.05}, {1e-6, 1e-2, 0.495}});
  descends("lion", optim::lion{}, {{0.01, 0.005, 0.01}, {1e-6, 1e-2, 0.495}});
  descends("signum", optim::signum{}, {{0.01, 0.005, 0.01}, {1e-6, 1e-2, 0.495}});
  descends("signsgd", optim::signsgd{}, {{0.01, 0.005, 0.01}, {1e-6, 1e-2, 0.495}});
  descends("lars", optim::lars{.weight_decay = 0.0f, .trust_coefficient = 0.01f}, {{1.0, 1.0, 1.0}, {1e-6, 1e-2, 0.495}});
  descends("lamb", optim::lamb{.weight_decay = 0.0f}, {{0.05, 0.02, 0.05}, {1e-6, 1e-2, 0.495}});
  descends("lookahead<adam>", optim::lookahead<optim::adam>{}, {{0.05, 0.02, 0.05}, {1e-6, 1e-2, 0.495}});
}
