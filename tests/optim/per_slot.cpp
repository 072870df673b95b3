// LARS and LAMB trust ratios per slot on a small ctnn model (sequential<input<4>, dense<3>,
// relu, dense<2>>: four slots, with padding between them) against a scalar per-slot reference
// written from the papers, over 5 steps with random gradients; decay on weights only.
#include <catch2/catch.hpp>
#include <cmath>
#include <span>
#include <vector>
#include <ctnn/ctnn.hpp>
#include <ctnn/optim/lamb.hpp>
#include <ctnn/optim/lars.hpp>

namespace {

using net = ctnn::sequential<ctnn::input<4>, ctnn::dense<3>, ctnn::relu, ctnn::dense<2>>;
using model_t = ctnn::model<net>;

double norm(const std::vector<double>& x, std::size_t lo, std::size_t hi) {
  double s = 0;
  for (std::size_t i = lo; i < hi; ++i) s += x[i] * x[i];
  return std::sqrt(s);
}

}  // namespace

TEST_CASE("lars and lamb apply trust ratios per slot", "[optim][slots]") {
  const auto slots = std::span<const ctnn::slot_desc>(model_t::slots);
  REQUIRE(slots.size() == 4);
  const std::size_t n = model_t::parameter_count;
  ctnn::rng r(11);
  for (int which = 0; which < 2; ++which) {
    model_t m{ctnn::seed{3}};
    std::vector<float> p(m.parameters().begin(), m.parameters().end()), g(n, 0.0f);
    for (const auto& s : slots)  // biases start at zero; give them values so their ratio is not the fallback
      if (s.role == ctnn::slot_role::bias)
        for (std::size_t i = 0; i < s.size(); ++i) p[s.offset + i] = static_cast<float>(0.1 * r.normal());
    std::vector<double> pd(p.begin(), p.end()), gd(n), m1(n, 0.0), v(n, 0.0);
    const ctnn::optim::lars lars{.lr = 0.5f, .momentum = 0.9f, .weight_decay = 0.01f, .trust_coefficient = 0.02f};
    const ctnn::optim::lamb lamb{.lr = 0.01f, .weight_decay = 0.05f};
    auto ls = lars.make_state<float>(n);
    auto bs = lamb.make_state<float>(n);
    for (int t = 1; t <= 5; ++t) {
      for (const auto& s : slots)
        for (std::size_t i = 0; i < s.size(); ++i) gd[s.offset + i] = g[s.offset + i] = static_cast<float>(r.normal());
      if (which == 0) lars.update(p.data(), g.data(), ls, slots, 0.5f);
      else lamb.update(p.data(), g.data(), bs, slots, 0.01f);
      for (const auto& s : slots) {
        const std::size_t lo = s.offset, hi = s.offset + s.size();
        const bool decay = s.role == ctnn::slot_role::weight;
        if (which == 0) {  // You et al. 2017, Algorithm 1
          const double wd = decay ? double(0.01f) : 0.0, eta = double(0.02f), gamma = double(0.5f), mu = double(0.9f);
          const double local = eta * norm(pd, lo, hi) / (norm(gd, lo, hi) + wd * norm(pd, lo, hi));
          for (std::size_t i = lo; i < hi; ++i) {
            m1[i] = mu * m1[i] + gamma * local * (gd[i] + wd * pd[i]);
            pd[i] -= m1[i];
          }
        } else {  // You et al. 2020, Algorithm 2
          const double wd = decay ? double(0.05f) : 0.0, b1 = double(0.9f), b2 = double(0.999f), eps = double(1e-6f);
          std::vector<double> u(n, 0.0);
          for (std::size_t i = lo; i < hi; ++i) {
            m1[i] = b1 * m1[i] + (1 - b1) * gd[i];
            v[i] = b2 * v[i] + (1 - b2) * gd[i] * gd[i];
            u[i] = (m1[i] / (1 - std::pow(b1, t))) / (std::sqrt(v[i] / (1 - std::pow(b2, t))) + eps) + wd * pd[i];
          }
          const double ratio = norm(pd, lo, hi) / norm(u, lo, hi);
          for (std::size_t i = lo; i < hi; ++i) pd[i] -= double(0.01f) * ratio * u[i];
        }
      }
    }
    double worst = 0;
    for (const auto& s : slots)
      for (std::size_t i = s.offset; i < s.offset + s.size(); ++i)
        worst = std::max(worst, std::abs(double(p[i]) - pd[i]) / std::max(1.0, std::abs(pd[i])));
    INFO((which == 0 ? "lars" : "lamb"));
    CHECK(worst < 1e-5);
  }
}
