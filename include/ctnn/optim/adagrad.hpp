#pragma once
// optim::adagrad (Duchi, Hazan & Singer 2011), exactly as torch.optim.Adagrad:
//   g ← g + λ p
//   η_t = η / (1 + (t − 1) δ)          (lr_decay δ)
//   s ← s + g²                         (s_0 = initial_accumulator)
//   p ← p − η_t g / (√s + ε)
// Defaults: η = 10⁻², ε = 10⁻¹⁰.
#include <algorithm>
#include <cstddef>
#include <span>
#include <string_view>
#include <xsimd/xsimd.hpp>
#include <ctnn/core/aligned_buffer.hpp>
#include <ctnn/optim/elementwise.hpp>

namespace ctnn::optim {

struct adagrad {
  static constexpr std::string_view name = "adagrad";
  float lr = 1e-2f;
  float lr_decay = 0.0f;
  float weight_decay = 0.0f;
  float initial_accumulator = 0.0f;
  float eps = 1e-10f;
  bool decay_biases = false;  ///< per-slot update only: see optim/concepts.hpp

  template <class S>
  struct state {
    aligned_buffer<S> sum;
    std::size_t steps = 0;
    /// The checkpoint protocol (ctnn/io/optimizer_state.hpp): arena sum (s, the running sum of squared
    /// gradients) and the step counter.
    template <class F>
    void visit_state(F&& f) {
      f(std::string_view("sum"), std::span<S>(sum.data(), sum.size()));
      f(std::string_view("steps"), steps);
    }
  };

  template <class S>
  state<S> make_state(std::size_t n) const {
    state<S> st;
    st.sum.resize(n);
    std::fill(st.sum.begin(), st.sum.end(), static_cast<S>(initial_accumulator));
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
    const double t = static_cast<double>(++st.steps);
    return {static_cast<S>(eta / (1 + (t - 1) * double(lr_decay)))};
  }
  template <class S>
  void run(const coeffs<S>& c, S* p, const S* g, state<S>& st, std::size_t lo, std::size_t hi, S wd) const {
    using B = xsimd::batch<S>;
    const S e = eps;
    fused_pass(lo, hi, g, [&](B gg, B& pp, B& ss) {
      const B gd = gg + B(wd) * pp;
      ss = ss + gd * gd;
      pp = pp - B(c.eta) * gd / (xsimd::sqrt(ss) + B(e));
    }, p, st.sum.data());
  }
};

}  // namespace ctnn::optim
