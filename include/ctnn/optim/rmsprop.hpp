#pragma once
// optim::rmsprop (Tieleman & Hinton 2012, lecture 6e; centered: Graves 2013), exactly as
// torch.optim.RMSprop:
//   g ← g + λ p
//   v ← α v + (1 − α) g²
//   centered:  ḡ ← α ḡ + (1 − α) g,   d = √(v − ḡ²) + ε      else  d = √v + ε
//   momentum:  b ← μ b + g / d,  p ← p − η b                   else  p ← p − η g / d
// Defaults: η = 10⁻², α = 0.99, ε = 10⁻⁸.
#include <cstddef>
#include <span>
#include <string_view>
#include <type_traits>
#include <xsimd/xsimd.hpp>
#include <ctnn/core/aligned_buffer.hpp>
#include <ctnn/optim/elementwise.hpp>

namespace ctnn::optim {

struct rmsprop {
  static constexpr std::string_view name = "rmsprop";
  float lr = 1e-2f;
  float alpha = 0.99f;
  float eps = 1e-8f;
  float weight_decay = 0.0f;
  float momentum = 0.0f;
  bool centered = false;
  bool decay_biases = false;  ///< per-slot update only: see optim/concepts.hpp

  template <class S>
  struct state {
    aligned_buffer<S> square_avg, grad_avg, buffer;
    std::size_t steps = 0;
    /// The checkpoint protocol (ctnn/io/optimizer_state.hpp): arenas square_avg (v), grad_avg (ḡ, empty
    /// unless centered), buffer (b, empty without momentum) and the step counter.
    template <class F>
    void visit_state(F&& f) {
      f(std::string_view("square_avg"), std::span<S>(square_avg.data(), square_avg.size()));
      f(std::string_view("grad_avg"), std::span<S>(grad_avg.data(), grad_avg.size()));
      f(std::string_view("buffer"), std::span<S>(buffer.data(), buffer.size()));
      f(std::string_view("steps"), steps);
    }
  };

  template <class S>
  state<S> make_state(std::size_t n) const {
    state<S> st;
    st.square_avg.resize(n);
    if (centered) st.grad_avg.resize(n);
    if (momentum != 0.0f) st.buffer.resize(n);
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
    const S a = alpha, e = eps, mu = momentum, eta = c.eta;
    auto denom = [&](B gd, B& vv, B* ga) {
      vv = B(a) * vv + B(S(1) - a) * gd * gd;
      if (!ga) return xsimd::sqrt(vv) + B(e);
      *ga = B(a) * *ga + B(S(1) - a) * gd;
      // v − ḡ² ≥ 0 in exact arithmetic but rounds below 0 where a gradient is nearly constant (after
      // ~1,200 float steps): clamped, or sqrt made the parameter NaN (PyTorch has the same formula).
      return xsimd::sqrt(xsimd::max(vv - *ga * *ga, B(S(0)))) + B(e);
    };
    S* v = st.square_avg.data();
    if (!centered && momentum == 0.0f)
      fused_pass(lo, hi, g, [&](B gg, B& pp, B& vv) {
        const B gd = gg + B(wd) * pp;
        pp = pp - B(eta) * gd / denom(gd, vv, nullptr);
      }, p, v);
    else if (centered && momentum == 0.0f)
      fused_pass(lo, hi, g, [&](B gg, B& pp, B& vv, B& ga) {
        const B gd = gg + B(wd) * pp;
        pp = pp - B(eta) * gd / denom(gd, vv, &ga);
      }, p, v, st.grad_avg.data());
    else if (!centered)
      fused_pass(lo, hi, g, [&](B gg, B& pp, B& vv, B& bb) {
        const B gd = gg + B(wd) * pp;
        bb = B(mu) * bb + gd / denom(gd, vv, nullptr);
        pp = pp - B(eta) * bb;
      }, p, v, st.buffer.data());
    else
      fused_pass(lo, hi, g, [&](B gg, B& pp, B& vv, B& ga, B& bb) {
        const B gd = gg + B(wd) * pp;
        bb = B(mu) * bb + gd / denom(gd, vv, &ga);
        pp = pp - B(eta) * bb;
      }, p, v, st.grad_avg.data(), st.buffer.data());
  }
};

}  // namespace ctnn::optim
