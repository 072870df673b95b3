// LARS and LAMB trust ratios per slot on a small ctnn model (sequential<input<4>, dense<3>,
// relu, dense<2>>: four slots, with padding between them) against a scalar per-slot reference
// written from the papers, over 5 steps with random gradients; decay on weights only.
#include <catch2/catch.hpp>
#include <cmath>
#include <span>
#include <string_view>
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

// The trainer's update with layer_owners (optim/elementwise.hpp): at 2 threads each dense
// layer's rows are updated on the thread whose forward computed them. The rule is elementwise,
// so the parameters and optimizer state must be bitwise those of the plain per-slot update, for
// layers that split (784→256 and 256→256 at batch 256) and layers that do not (256→10), with
// weight decay on weights only; with the rows of a team step (layer_owners.team); and with the
// layers of a pipelined step's stages (layer_owners.stage_boundary).
TEST_CASE("the per-slot update split by layer owners equals the plain per-slot update bitwise",
          "[optim][slots][threads]") {
  using mlp = ctnn::sequential<ctnn::input<784>, ctnn::dense<256>, ctnn::relu, ctnn::dense<256>, ctnn::relu,
                               ctnn::dense<10>>;
  using mlp_model = ctnn::model<mlp>;
  const auto slots = std::span<const ctnn::slot_desc>(mlp_model::slots);
  static_assert(ctnn::kernels::detail::dense_forward_split<float>(784, 256, 256, 2).by_panels);
  static_assert(!ctnn::kernels::detail::dense_forward_split<float>(256, 10, 256, 2).by_panels);
  const std::size_t n = mlp_model::parameter_count;
  mlp_model m{ctnn::seed{5}};
  std::vector<float> p1(m.parameters().begin(), m.parameters().end()), p2 = p1, g(n);
  ctnn::rng r(17);
  const int saved = ctnn::num_threads();
  ctnn::set_num_threads(2);
  auto check = [&](const auto& opt, ctnn::optim::layer_owners owners) {
    auto s1 = opt.template make_state<float>(n);
    auto s2 = opt.template make_state<float>(n);
    for (int t = 0; t < 3; ++t) {
      for (auto& x : g) x = static_cast<float>(r.normal());
      opt.update(p1.data(), g.data(), s1, slots, 0.05f);
      opt.update(p2.data(), g.data(), s2, slots, 0.05f, owners);
    }
    CHECK(p1 == p2);
    std::vector<std::vector<float>> a1, a2;  // the state arenas, in visiting order
    auto collect = [](std::vector<std::vector<float>>& to) {
      return [&to](std::string_view, auto x) {
        if constexpr (requires { x.begin(); }) to.emplace_back(x.begin(), x.end());
      };
    };
    s1.visit_state(collect(a1));
    s2.visit_state(collect(a2));
    CHECK(!a1.empty());
    CHECK(a1 == a2);
  };
  // Owners from the forward's split, from a team step's (every layer by groups of 16 rows), and
  // from a pipelined step's (layer 0 on thread 0, layers 1 and 2 on thread 1).
  const std::size_t second_stage = mlp_model::slots[2].offset;
  for (const ctnn::optim::layer_owners owners :
       {ctnn::optim::layer_owners{256, false}, ctnn::optim::layer_owners{256, true},
        ctnn::optim::layer_owners{256, false, second_stage}}) {
    check(ctnn::optim::sgd{.lr = 0.05f, .momentum = 0.9f, .weight_decay = 0.01f}, owners);
    check(ctnn::optim::adam{.lr = 0.05f, .weight_decay = 0.01f}, owners);
  }
  ctnn::set_num_threads(saved);
}
