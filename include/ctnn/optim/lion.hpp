#pragma once
// optim::lion (Chen et al. 2023, "Symbolic discovery of optimization algorithms",
// arXiv:2302.06675, Program 1):
//   c = β₁ m + (1 − β₁) g
//   p ← p (1 − η λ) − η sign(c)          (decoupled weight decay)
//   m ← β₂ m + (1 − β₂) g
// Defaults: η = 10⁻⁴, β = (0.9, 0.99), λ = 0.
#include <cstddef>
#include <span>
#include <string_view>
#include <xsimd/xsimd.hpp>
#include <ctnn/core/aligned_buffer.hpp>
#include <ctnn/optim/elementwise.hpp>

namespace ctnn::optim {

struct lion {
  static constexpr std::string_view name = "lion";
  float lr = 1e-4f;
  float beta1 = 0.9f;
  float beta2 = 0.99f;
  float weight_decay = 0.0f;
  bool decay_biases = false;  ///< per-slot update only: see optim/concepts.hpp

  template <class S>
  struct state {
    aligned_buffer<S> m;
    std::size_t steps = 0;
    /// The checkpoint protocol (ctnn/io/optimizer_state.hpp): arena m and the step counter.
    template <class F>
    void visit_state(F&& f) {
      f(std::string_view("m"), std::span<S>(m.data(), m.size()));
      f(std::string_view("steps"), steps);
    }
  };

  template <class S>
  state<S> make_state(std::size_t n) const {
    state<S> st;
    st.m.resize(n);
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
    const S b1 = beta1, b2 = beta2, shrink = S(1) - c.eta * wd;
    fused_pass(lo, hi, g, [&](B gg, B& pp, B& mm) {
      const B dir = detail::sign(B(b1) * mm + B(S(1) - b1) * gg);
      pp = pp * B(shrink) - B(c.eta) * dir;
      mm = B(b2) * mm + B(S(1) - b2) * gg;
    }, p, st.m.data());
  }
};

}  // namespace ctnn::optim
