#pragma once
// optim::radam: rectified Adam (Liu et al. 2020, arXiv:1908.03265), exactly as torch.optim.RAdam:
//   g ← g + λ p   (L2)   or   p ← p (1 − η λ)   (decoupled)
//   m ← β₁ m + (1 − β₁) g,  v ← β₂ v + (1 − β₂) g²,  m̂ = m / (1 − β₁ᵗ)
//   ρ_∞ = 2/(1 − β₂) − 1,   ρ_t = ρ_∞ − 2 t β₂ᵗ / (1 − β₂ᵗ)
//   ρ_t > threshold:  r_t = √((ρ_t − 4)(ρ_t − 2) ρ_∞ / ((ρ_∞ − 4)(ρ_∞ − 2) ρ_t)),
//                     p ← p − η r_t m̂ √(1 − β₂ᵗ) / (√v + ε)
//   otherwise:        p ← p − η m̂                       (un-adapted momentum SGD)
// The threshold is 5 in PyTorch (rectification from t = 6 at β₂ = 0.999); the paper's is 4
// (from t = 5). Defaults: η = 10⁻³, β = (0.9, 0.999), ε = 10⁻⁸.
#include <cmath>
#include <cstddef>
#include <span>
#include <string_view>
#include <xsimd/xsimd.hpp>
#include <ctnn/core/aligned_buffer.hpp>
#include <ctnn/optim/elementwise.hpp>

namespace ctnn::optim {

struct radam {
  static constexpr std::string_view name = "radam";
  float lr = 1e-3f;
  float beta1 = 0.9f;
  float beta2 = 0.999f;
  float eps = 1e-8f;
  float weight_decay = 0.0f;
  double rho_threshold = 5.0;
  bool decoupled = false;
  bool decay_biases = false;  ///< per-slot update only: see optim/concepts.hpp

  template <class S>
  struct state {
    aligned_buffer<S> m, v;
    std::size_t steps = 0;
    /// The checkpoint protocol (ctnn/io/optimizer_state.hpp): arenas m and v and the step counter.
    template <class F>
    void visit_state(F&& f) {
      f(std::string_view("m"), std::span<S>(m.data(), m.size()));
      f(std::string_view("v"), std::span<S>(v.data(), v.size()));
      f(std::string_view("steps"), steps);
    }
  };

  template <class S>
  state<S> make_state(std::size_t n) const {
    state<S> st;
    st.m.resize(n);
    st.v.resize(n);
    return st;
  }

  /// ρ_t, the length of the approximated simple moving average at step t ≥ 1.
  double rho(std::size_t t) const {
    const double b2 = beta2, rho_inf = 2 / (1 - b2) - 1, bt = std::pow(b2, double(t));
    return rho_inf - 2 * double(t) * bt / (1 - bt);
  }
  /// r_t, the variance rectification term (0 when ρ_t ≤ threshold: no adaptive step).
  double rectification(std::size_t t) const {
    const double b2 = beta2, rho_inf = 2 / (1 - b2) - 1, r = rho(t);
    if (!(r > rho_threshold)) return 0.0;
    return std::sqrt((r - 4) * (r - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * r));
  }

  CTNN_ELEMENTWISE_UPDATES

  // The rule (called by optim::elementwise).
  template <class S>
  struct coeffs {
    S eta, plain, adaptive;  ///< p −= plain·m + adaptive·m/(√v + ε); one of the two is zero
  };
  template <class S>
  coeffs<S> begin_step(state<S>& st, S eta) const {
    const std::size_t t = ++st.steps;
    const double c1 = 1 - std::pow(double(beta1), double(t)), c2 = 1 - std::pow(double(beta2), double(t));
    const double r = rectification(t);
    if (r == 0.0) return {eta, static_cast<S>(eta / c1), S(0)};
    return {eta, S(0), static_cast<S>(eta * r * std::sqrt(c2) / c1)};
  }
  template <class S>
  void run(const coeffs<S>& c, S* p, const S* g, state<S>& st, std::size_t lo, std::size_t hi, S wd) const {
    using B = xsimd::batch<S>;
    const S b1 = beta1, b2 = beta2, e = eps;
    const S l2 = decoupled ? S(0) : wd, shrink = decoupled ? S(1) - c.eta * wd : S(1);
    fused_pass(lo, hi, g, [&](B gg, B& pp, B& mm, B& vv) {
      const B gd = gg + B(l2) * pp;
      mm = B(b1) * mm + B(S(1) - b1) * gd;
      vv = B(b2) * vv + B(S(1) - b2) * gd * gd;
      pp = pp * B(shrink) - (B(c.plain) * mm + B(c.adaptive) * mm / (xsimd::sqrt(vv) + B(e)));
    }, p, st.m.data(), st.v.data());
  }
};

}  // namespace ctnn::optim
