#pragma once
// optim::yogi (Zaheer, Reddi, Sachan, Kale & Kumar 2018, "Adaptive methods for nonconvex
// optimization", NeurIPS; Algorithm 2): Adam with an additive second-moment update
//   g ← g + λ p
//   m ← β₁ m + (1 − β₁) g
//   v ← v − (1 − β₂) sign(v − g²) g²        (v_0 = initial_accumulator)
//   p ← p − η m / (√v + ε)
// No bias correction (as Algorithm 2). Defaults from the paper: η = 10⁻², β = (0.9, 0.999),
// ε = 10⁻³, v_0 = 10⁻⁶.
#include <algorithm>
#include <cstddef>
#include <span>
#include <string_view>
#include <xsimd/xsimd.hpp>
#include <ctnn/core/aligned_buffer.hpp>
#include <ctnn/optim/elementwise.hpp>

namespace ctnn::optim {

struct yogi {
  static constexpr std::string_view name = "yogi";
  float lr = 1e-2f;
  float beta1 = 0.9f;
  float beta2 = 0.999f;
  float eps = 1e-3f;
  float initial_accumulator = 1e-6f;
  float weight_decay = 0.0f;
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
    std::fill(st.v.begin(), st.v.end(), static_cast<S>(initial_accumulator));
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
    const S b1 = beta1, b2 = beta2, e = eps;
    fused_pass(lo, hi, g, [&](B gg, B& pp, B& mm, B& vv) {
      const B gd = gg + B(wd) * pp, g2 = gd * gd;
      mm = B(b1) * mm + B(S(1) - b1) * gd;
      vv = vv - B(S(1) - b2) * detail::sign(vv - g2) * g2;
      pp = pp - B(c.eta) * mm / (xsimd::sqrt(vv) + B(e));
    }, p, st.m.data(), st.v.data());
  }
};

}  // namespace ctnn::optim
