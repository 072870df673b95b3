#pragma once
// optim::sgd: stochastic gradient descent with momentum, dampening, Nesterov and L2 weight
// decay, exactly as torch.optim.SGD:
//   g ← g + λ p
//   v ← g                       on the first step (when μ ≠ 0)
//   v ← μ v + (1 − τ) g         afterwards
//   d ← g + μ v  (Nesterov)  or  d ← v  (μ ≠ 0)  or  d ← g
//   p ← p − η d
// μ = 0 is plain SGD; μ > 0 without Nesterov is Polyak's heavy ball (in PyTorch's form, with
// the learning rate outside the velocity). One fused SIMD pass over (parameters, gradients,
// velocity).
#include <cstddef>
#include <span>
#include <string_view>
#include <xsimd/xsimd.hpp>
#include <ctnn/core/aligned_buffer.hpp>
#include <ctnn/optim/elementwise.hpp>

namespace ctnn::optim {

struct sgd {
  static constexpr std::string_view name = "sgd";
  float lr = 0.01f;
  float momentum = 0.0f;
  float dampening = 0.0f;
  float weight_decay = 0.0f;
  bool nesterov = false;
  bool decay_biases = false;  ///< per-slot update only: see optim/concepts.hpp

  template <class S>
  struct state {
    aligned_buffer<S> velocity;
    std::size_t steps = 0;
    /// The checkpoint protocol (ctnn/io/optimizer_state.hpp): arena velocity (empty without momentum) and
    /// the step counter.
    template <class F>
    void visit_state(F&& f) {
      f(std::string_view("velocity"), std::span<S>(velocity.data(), velocity.size()));
      f(std::string_view("steps"), steps);
    }
  };

  template <class S>
  state<S> make_state(std::size_t n) const {
    state<S> st;
    if (momentum != 0.0f) st.velocity.resize(n);
    return st;
  }

  CTNN_ELEMENTWISE_UPDATES

  // The rule (called by optim::elementwise).
  template <class S>
  struct coeffs {
    S eta, mu, keep, decay_v;
  };
  template <class S>
  coeffs<S> begin_step(state<S>& st, S eta) const {
    const bool first = st.steps++ == 0;
    // First step: v ← g exactly (no dampening, no decay of the zero velocity).
    return {eta, S(momentum), first ? S(1) : S(1) - S(dampening), first ? S(0) : S(momentum)};
  }
  template <class S>
  void run(const coeffs<S>& c, S* p, const S* g, state<S>& st, std::size_t lo, std::size_t hi, S wd) const {
    using B = xsimd::batch<S>;
    if (momentum == 0.0f) {
      fused_pass(lo, hi, g, [&](B gg, B& pp) { pp = pp - B(c.eta) * (gg + B(wd) * pp); }, p);
    } else if (nesterov) {
      fused_pass(lo, hi, g, [&](B gg, B& pp, B& vv) {
        const B gd = gg + B(wd) * pp;
        vv = B(c.decay_v) * vv + B(c.keep) * gd;
        pp = pp - B(c.eta) * (gd + B(c.mu) * vv);
      }, p, st.velocity.data());
    } else {
      fused_pass(lo, hi, g, [&](B gg, B& pp, B& vv) {
        vv = B(c.decay_v) * vv + B(c.keep) * (gg + B(wd) * pp);
        pp = pp - B(c.eta) * vv;
      }, p, st.velocity.data());
    }
  }
};

}  // namespace ctnn::optim
