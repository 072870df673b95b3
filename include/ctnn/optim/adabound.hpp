#pragma once
// optim::adabound and optim::amsbound (Luo, Xiong, Liu & Sun 2019, arXiv:1902.09843), as the
// authors' reference implementation (github.com/Luolc/AdaBound):
//   g ← g + λ p
//   m ← β₁ m + (1 − β₁) g,  v ← β₂ v + (1 − β₂) g²,  v̄ ← max(v̄, v) (amsbound) else v̄ = v
//   α_t = η √(1 − β₂ᵗ) / (1 − β₁ᵗ)
//   η* = final_lr · η / η₀   (η₀ = .lr: a scheduled η scales the final rate alike)
//   l_t = η* (1 − 1/(γ t + 1)),   u_t = η* (1 + 1/(γ t))
//   p ← p − clip(α_t / (√v̄ + ε), l_t, u_t) · m
// Defaults: η = 10⁻³, β = (0.9, 0.999), final_lr = 0.1, γ = 10⁻³, ε = 10⁻⁸.
#include <cmath>
#include <cstddef>
#include <span>
#include <string_view>
#include <xsimd/xsimd.hpp>
#include <fmt/format.h>
#include <ctnn/core/aligned_buffer.hpp>
#include <ctnn/core/error.hpp>
#include <ctnn/optim/elementwise.hpp>

namespace ctnn::optim {

struct adabound_defaults {
  static constexpr std::string_view name = "adabound";
  static constexpr bool amsbound = false;
};
struct amsbound_defaults {
  static constexpr std::string_view name = "amsbound";
  static constexpr bool amsbound = true;
};

template <class Defaults>
struct adabound_type {
  static constexpr std::string_view name = Defaults::name;
  float lr = 1e-3f;
  float beta1 = 0.9f;
  float beta2 = 0.999f;
  float final_lr = 0.1f;
  float gamma = 1e-3f;
  float eps = 1e-8f;
  float weight_decay = 0.0f;
  bool amsbound = Defaults::amsbound;
  bool decay_biases = false;  ///< per-slot update only: see optim/concepts.hpp

  template <class S>
  struct state {
    aligned_buffer<S> m, v, vmax;
    std::size_t steps = 0;
    /// The checkpoint protocol (ctnn/io/optimizer_state.hpp): arenas m, v, vmax (empty unless amsbound) and
    /// the step counter (which also sets the bounds' schedule).
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
    if (amsbound) st.vmax.resize(n);
    return st;
  }

  CTNN_ELEMENTWISE_UPDATES

  // The rule (called by optim::elementwise).
  template <class S>
  struct coeffs {
    S step, lower, upper;
  };
  template <class S>
  coeffs<S> begin_step(state<S>& st, S eta) const {
    const double t = static_cast<double>(++st.steps);
    const double c1 = 1 - std::pow(double(beta1), t), c2 = 1 - std::pow(double(beta2), t);
    // The bounds follow the rate: final_lr · eta / lr. A rate of 0 moves nothing (0/0 made every
    // parameter NaN at lr = 0); a scheduled rate over lr = 0 has no scale to follow.
    if (eta != S(0) && !(lr > 0.0f))
      throw error(fmt::format("ctnn::optim::adabound: lr is {}, but final_lr is scaled by the rate over lr, which "
                              "must then be positive",
                              lr));
    const double fin = eta == S(0) ? 0.0 : double(final_lr) * double(eta) / double(lr), gm = gamma;
    return {static_cast<S>(eta * std::sqrt(c2) / c1), static_cast<S>(fin * (1 - 1 / (gm * t + 1))),
            static_cast<S>(fin * (1 + 1 / (gm * t)))};
  }
  template <class S>
  void run(const coeffs<S>& c, S* p, const S* g, state<S>& st, std::size_t lo, std::size_t hi, S wd) const {
    using B = xsimd::batch<S>;
    const S b1 = beta1, b2 = beta2, e = eps;
    auto moments = [&](B gg, B& pp, B& mm, B& vv) {
      const B gd = gg + B(wd) * pp;
      mm = B(b1) * mm + B(S(1) - b1) * gd;
      vv = B(b2) * vv + B(S(1) - b2) * gd * gd;
    };
    auto step = [&](B denom) { return xsimd::min(xsimd::max(B(c.step) / denom, B(c.lower)), B(c.upper)); };
    if (amsbound)
      fused_pass(lo, hi, g, [&](B gg, B& pp, B& mm, B& vv, B& vm) {
        moments(gg, pp, mm, vv);
        vm = xsimd::max(vm, vv);
        pp = pp - step(xsimd::sqrt(vm) + B(e)) * mm;
      }, p, st.m.data(), st.v.data(), st.vmax.data());
    else
      fused_pass(lo, hi, g, [&](B gg, B& pp, B& mm, B& vv) {
        moments(gg, pp, mm, vv);
        pp = pp - step(xsimd::sqrt(vv) + B(e)) * mm;
      }, p, st.m.data(), st.v.data());
  }
};

using adabound = adabound_type<adabound_defaults>;
using amsbound = adabound_type<amsbound_defaults>;

}  // namespace ctnn::optim
