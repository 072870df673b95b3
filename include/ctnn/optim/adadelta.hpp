#pragma once
// optim::adadelta (Zeiler 2012, arXiv:1212.5701), exactly as torch.optim.Adadelta:
//   g ← g + λ p
//   v ← ρ v + (1 − ρ) g²
//   Δ = √(u + ε) / √(v + ε) · g
//   u ← ρ u + (1 − ρ) Δ²
//   p ← p − η Δ
// Defaults: η = 1, ρ = 0.9, ε = 10⁻⁶.
#include <cstddef>
#include <span>
#include <string_view>
#include <xsimd/xsimd.hpp>
#include <ctnn/core/aligned_buffer.hpp>
#include <ctnn/optim/elementwise.hpp>

namespace ctnn::optim {

struct adadelta {
  static constexpr std::string_view name = "adadelta";
  float lr = 1.0f;
  float rho = 0.9f;
  float eps = 1e-6f;
  float weight_decay = 0.0f;
  bool decay_biases = false;  ///< per-slot update only: see optim/concepts.hpp

  template <class S>
  struct state {
    aligned_buffer<S> square_avg, acc_delta;
    std::size_t steps = 0;
    /// The checkpoint protocol (ctnn/io/optimizer_state.hpp): arenas square_avg (v) and acc_delta (u), and
    /// the step counter.
    template <class F>
    void visit_state(F&& f) {
      f(std::string_view("square_avg"), std::span<S>(square_avg.data(), square_avg.size()));
      f(std::string_view("acc_delta"), std::span<S>(acc_delta.data(), acc_delta.size()));
      f(std::string_view("steps"), steps);
    }
  };

  template <class S>
  state<S> make_state(std::size_t n) const {
    state<S> st;
    st.square_avg.resize(n);
    st.acc_delta.resize(n);
    return st;
  }

  CTNN_ELEMENTWISE_UPDATES

  // The rule (called by optim::elementwise).
  template <class S>
  struct coeffs {
    S eta;
  };
  template <class S>
  coeffs<S> begin_step(state<S>& st, S eta) const {
    ++st.steps;
    return {eta};
  }
  template <class S>
  void run(const coeffs<S>& c, S* p, const S* g, state<S>& st, std::size_t lo, std::size_t hi, S wd) const {
    using B = xsimd::batch<S>;
    const S r = rho, e = eps;
    fused_pass(lo, hi, g, [&](B gg, B& pp, B& vv, B& uu) {
      const B gd = gg + B(wd) * pp;
      vv = B(r) * vv + B(S(1) - r) * gd * gd;
      const B delta = xsimd::sqrt(uu + B(e)) / xsimd::sqrt(vv + B(e)) * gd;
      uu = B(r) * uu + B(S(1) - r) * delta * delta;
      pp = pp - B(c.eta) * delta;
    }, p, st.square_avg.data(), st.acc_delta.data());
  }
};

}  // namespace ctnn::optim
