#pragma once
// optim::nadam: Adam with Nesterov momentum (Dozat 2016, "Incorporating Nesterov momentum into
// Adam"), exactly as torch.optim.NAdam, momentum decay ψ included:
//   g ← g + λ p                          (L2)   or   p ← p (1 − η λ)   (decoupled)
//   μ_t = β₁ (1 − ½ · 0.96^(t ψ)),  μ_{t+1} likewise,  Π_t = Π_{t−1} μ_t  (Π_0 = 1)
//   m ← β₁ m + (1 − β₁) g,  v ← β₂ v + (1 − β₂) g²,  d = √(v / (1 − β₂ᵗ)) + ε
//   p ← p − η (1 − μ_t)/(1 − Π_t) · g/d − η μ_{t+1}/(1 − Π_t μ_{t+1}) · m/d
// Defaults: η = 2·10⁻³, β = (0.9, 0.999), ε = 10⁻⁸, ψ = 4·10⁻³.
#include <cmath>
#include <cstddef>
#include <span>
#include <string_view>
#include <xsimd/xsimd.hpp>
#include <ctnn/core/aligned_buffer.hpp>
#include <ctnn/optim/elementwise.hpp>

namespace ctnn::optim {

struct nadam {
  static constexpr std::string_view name = "nadam";
  float lr = 2e-3f;
  float beta1 = 0.9f;
  float beta2 = 0.999f;
  float eps = 1e-8f;
  float weight_decay = 0.0f;
  float momentum_decay = 4e-3f;
  bool decoupled = false;
  bool decay_biases = false;  ///< per-slot update only: see optim/concepts.hpp

  template <class S>
  struct state {
    aligned_buffer<S> m, v;
    std::size_t steps = 0;
    double mu_product = 1.0;
    /// The checkpoint protocol (ctnn/io/optimizer_state.hpp): arenas m and v, the step counter and Π_t (mu_product, double).
    template <class F>
    void visit_state(F&& f) {
      f(std::string_view("m"), std::span<S>(m.data(), m.size()));
      f(std::string_view("v"), std::span<S>(v.data(), v.size()));
      f(std::string_view("steps"), steps);
      f(std::string_view("mu_product"), mu_product);
    }
  };

  template <class S>
  state<S> make_state(std::size_t n) const {
    state<S> st;
    st.m.resize(n);
    st.v.resize(n);
    return st;
  }

  CTNN_ELEMENTWISE_UPDATES

  // The rule (called by optim::elementwise).
  template <class S>
  struct coeffs {
    S eta, cg, cm, inv_sqrt_c2;
  };
  template <class S>
  coeffs<S> begin_step(state<S>& st, S eta) const {
    const double t = static_cast<double>(++st.steps), b1 = beta1, psi = momentum_decay;
    const double mu = b1 * (1 - 0.5 * std::pow(0.96, t * psi));
    const double mu_next = b1 * (1 - 0.5 * std::pow(0.96, (t + 1) * psi));
    st.mu_product *= mu;
    const double c2 = 1 - std::pow(double(beta2), t);
    return {eta, static_cast<S>(eta * (1 - mu) / (1 - st.mu_product)),
            static_cast<S>(eta * mu_next / (1 - st.mu_product * mu_next)), static_cast<S>(1 / std::sqrt(c2))};
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
      const B d = xsimd::sqrt(vv) * B(c.inv_sqrt_c2) + B(e);
      pp = pp * B(shrink) - (B(c.cg) * gd + B(c.cm) * mm) / d;
    }, p, st.m.data(), st.v.data());
  }
};

}  // namespace ctnn::optim
