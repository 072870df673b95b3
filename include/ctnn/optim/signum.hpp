#pragma once
// optim::signum and optim::signsgd (Bernstein, Wang, Azizzadenesheli & Anandkumar 2018,
// "signSGD: compressed optimisation for non-convex problems", arXiv:1802.04434, Algorithms 1–2;
// weight decay as the authors' code, L2 on the gradient):
//   g ← g + λ p
//   signum:   m ← β m + (1 − β) g,   p ← p − η sign(m)
//   signsgd:  p ← p − η sign(g)      (β = 0: no momentum state)
// sign(0) = 0. Defaults: η = 10⁻⁴, β = 0.9 (signum) or 0 (signsgd).
#include <cstddef>
#include <span>
#include <string_view>
#include <xsimd/xsimd.hpp>
#include <ctnn/core/aligned_buffer.hpp>
#include <ctnn/optim/elementwise.hpp>

namespace ctnn::optim {

struct signum_defaults { static constexpr std::string_view name = "signum"; static constexpr float momentum = 0.9f; };
struct signsgd_defaults { static constexpr std::string_view name = "signsgd"; static constexpr float momentum = 0.0f; };

template <class Defaults>
struct sign_descent {
  static constexpr std::string_view name = Defaults::name;
  float lr = 1e-4f;
  float momentum = Defaults::momentum;
  float weight_decay = 0.0f;
  bool decay_biases = false;  ///< per-slot update only: see optim/concepts.hpp

  template <class S>
  struct state {
    aligned_buffer<S> m;
    std::size_t steps = 0;
    /// The checkpoint protocol (ctnn/io/optimizer_state.hpp): arena m (empty for signsgd) and the step
    /// counter.
    template <class F>
    void visit_state(F&& f) {
      f(std::string_view("m"), std::span<S>(m.data(), m.size()));
      f(std::string_view("steps"), steps);
    }
  };

  template <class S>
  state<S> make_state(std::size_t n) const {
    state<S> st;
    if (momentum != 0.0f) st.m.resize(n);
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
    const S b = momentum;
    if (momentum == 0.0f)
      fused_pass(lo, hi, g, [&](B gg, B& pp) { pp = pp - B(c.eta) * detail::sign(gg + B(wd) * pp); }, p);
    else
      fused_pass(lo, hi, g, [&](B gg, B& pp, B& mm) {
        mm = B(b) * mm + B(S(1) - b) * (gg + B(wd) * pp);
        pp = pp - B(c.eta) * detail::sign(mm);
      }, p, st.m.data());
  }
};

using signum = sign_descent<signum_defaults>;
using signsgd = sign_descent<signsgd_defaults>;

}  // namespace ctnn::optim
