// optim::sgd's fused SIMD update equals torch.optim.SGD's formula, written here as plain scalar
// double-precision code, over 50 steps on random parameters and gradients.
#include <catch2/catch.hpp>
#include <cmath>
#include <ctnn/ctnn.hpp>

namespace {

struct reference_sgd {
  double lr, mu, tau, wd;
  bool nesterov;
  std::vector<double> v;
  bool first = true;
  void update(std::vector<double>& p, const std::vector<double>& grad) {
    if (v.empty()) v.assign(p.size(), 0.0);
    for (std::size_t i = 0; i < p.size(); ++i) {
      double g = grad[i] + wd * p[i];
      if (mu != 0) {
        v[i] = first ? g : mu * v[i] + (1 - tau) * g;
        g = nesterov ? g + mu * v[i] : v[i];
      }
      p[i] -= lr * g;
    }
    first = false;
  }
};

}  // namespace

TEST_CASE("sgd equals its formula over 50 steps", "[optim][sgd]") {
  struct config { float lr, mu, tau, wd; bool nesterov; };
  for (const config c : {config{0.1f, 0.0f, 0.0f, 0.0f, false}, config{0.05f, 0.9f, 0.0f, 0.0f, false},
                         config{0.05f, 0.9f, 0.0f, 1e-2f, true}, config{0.02f, 0.8f, 0.3f, 5e-3f, false}}) {
    const std::size_t n = 1037;  // not a multiple of the SIMD width: the tail is exercised
    ctnn::optim::sgd opt{.lr = c.lr, .momentum = c.mu, .dampening = c.tau, .weight_decay = c.wd, .nesterov = c.nesterov};
    reference_sgd ref{c.lr, c.mu, c.tau, c.wd, c.nesterov, {}};
    ctnn::rng g(1);
    std::vector<float> p(n), grad(n);
    std::vector<double> pd(n), gd(n);
    for (std::size_t i = 0; i < n; ++i) pd[i] = p[i] = static_cast<float>(g.normal());
    auto st = opt.make_state<float>(n);
    for (int step = 0; step < 50; ++step) {
      for (std::size_t i = 0; i < n; ++i) gd[i] = grad[i] = static_cast<float>(g.normal());
      opt.update(p.data(), grad.data(), st, n);
      ref.update(pd, gd);
    }
    double worst = 0;
    for (std::size_t i = 0; i < n; ++i) worst = std::max(worst, std::abs(p[i] - pd[i]) / std::max(1.0, std::abs(pd[i])));
    INFO("lr " << c.lr << " momentum " << c.mu << " dampening " << c.tau << " wd " << c.wd << " nesterov " << c.nesterov);
    CHECK(worst < 1e-5);
  }
}
