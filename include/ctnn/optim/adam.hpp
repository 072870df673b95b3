#pragma once
// optim::adam, optim::adamw, optim::amsgrad: one rule, three sets of defaults (ensmallen style:
// adam_type<Defaults>). As torch.optim.Adam / torch.optim.AdamW (Kingma & Ba 2015,
// arXiv:1412.6980; Loshchilov & Hutter 2019, arXiv:1711.05101; Reddi, Kale & Kumar 2018,
// arXiv:1904.09237):
//   g ← g + λ p                          (L2, decoupled = false)   or   p ← p (1 − η λ)  (decoupled)
//   m ← β₁ m + (1 − β₁) g
//   v ← β₂ v + (1 − β₂) g²
//   v̄ ← max(v̄, v)  (amsgrad)   else  v̄ = v
//   c₁ = 1 − β₁ᵗ, c₂ = 1 − β₂ᵗ   (both 1 when bias_correction = false: Reddi et al.'s AMSGrad)
//   p ← p − (η / c₁) · m / (√v̄ / √c₂ + ε)
// Defaults: η = 10⁻³, β = (0.9, 0.999), ε = 10⁻⁸; adamw decays 10⁻² decoupled.
#include <cmath>
#include <cstddef>
#include <span>
#include <string_view>
#include <xsimd/xsimd.hpp>
#include <ctnn/core/aligned_buffer.hpp>
#include <ctnn/optim/elementwise.hpp>

namespace ctnn::optim {

struct adam_defaults {
  static constexpr std::string_view name = "adam";
  static constexpr float weight_decay = 0.0f;
  static constexpr bool decoupled = false, amsgrad = false;
};
struct adamw_defaults {
  static constexpr std::string_view name = "adamw";
  static constexpr float weight_decay = 1e-2f;
  static constexpr bool decoupled = true, amsgrad = false;
};
struct amsgrad_defaults {
  static constexpr std::string_view name = "amsgrad";
  static constexpr float weight_decay = 0.0f;
  static constexpr bool decoupled = false, amsgrad = true;
};

template <class Defaults>
struct adam_type {
  static constexpr std::string_view name = Defaults::name;
  float lr = 1e-3f;
  float beta1 = 0.9f;
  float beta2 = 0.999f;
  float eps = 1e-8f;
  float weight_decay = Defaults::weight_decay;
  bool decoupled = Defaults::decoupled;  ///< AdamW's decay p ← p(1 − ηλ) instead of L2
  bool amsgrad = Defaults::amsgrad;
  bool bias_correction = true;
  bool decay_biases = false;  ///< per-slot update only: see optim/concepts.hpp

  template <class S>
  struct state {
    aligned_buffer<S> m, v, vmax;
    std::size_t steps = 0;
    /// The checkpoint protocol (ctnn/io/optimizer_state.hpp): arenas m, v, vmax (empty unless
    /// amsgrad) and the step counter.
    template <class F>
    void visit_state(F&& f) {
      f(std::string_view("m"), std::span<S>(m.data(), m.size()));
      f(std::string_view("v"), std::span<S>(v.data(), v.size()));
      f(std::string_view("vmax"), std::span<S>(vmax.data(), vmax.size()));
      f(std::string_view("steps"), steps);
    }
  };

  template <class S>
  state<S> make_state(std::size_t n) const {
    state<S> st;
    st.m.resize(n);
    st.v.resize(n);
    if (amsgrad) st.vmax.resize(n);
    return st;
  }

  CTNN_ELEMENTWISE_UPDATES

  // The rule (called by optim::elementwise).
  template <class S>
  struct coeffs {
    S eta, step, inv_sqrt_c2;
  };
  template <class S>
  coeffs<S> begin_step(state<S>& st, S eta) const {
    const double t = static_cast<double>(++st.steps);
    const double c1 = bias_correction ? 1 - std::pow(double(beta1), t) : 1.0;
    const double c2 = bias_correction ? 1 - std::pow(double(beta2), t) : 1.0;
    return {eta, static_cast<S>(eta / c1), static_cast<S>(1 / std::sqrt(c2))};
  }
  template <class S>
  void run(const coeffs<S>& c, S* p, const S* g, state<S>& st, std::size_t lo, std::size_t hi, S wd) const {
    using B = xsimd::batch<S>;
    const S b1 = beta1, b2 = beta2, e = eps;
    const S l2 = decoupled ? S(0) : wd, shrink = decoupled ? S(1) - c.eta * wd : S(1);
    auto moments = [&](B gg, B& pp, B& mm, B& vv) {
      const B gd = gg + B(l2) * pp;
      mm = B(b1) * mm + B(S(1) - b1) * gd;
      vv = B(b2) * vv + B(S(1) - b2) * gd * gd;
      pp = pp * B(shrink);
    };
    if (amsgrad) {
      fused_pass(lo, hi, g, [&](B gg, B& pp, B& mm, B& vv, B& vm) {
        moments(gg, pp, mm, vv);
        vm = xsimd::max(vm, vv);
        pp = pp - B(c.step) * mm / (xsimd::sqrt(vm) * B(c.inv_sqrt_c2) + B(e));
      }, p, st.m.data(), st.v.data(), st.vmax.data());
    } else {
      fused_pass(lo, hi, g, [&](B gg, B& pp, B& mm, B& vv) {
        moments(gg, pp, mm, vv);
        pp = pp - B(c.step) * mm / (xsimd::sqrt(vv) * B(c.inv_sqrt_c2) + B(e));
      }, p, st.m.data(), st.v.data());
    }
  }
};

using adam = adam_type<adam_defaults>;
using adamw = adam_type<adamw_defaults>;
using amsgrad = adam_type<amsgrad_defaults>;

}  // namespace ctnn::optim
