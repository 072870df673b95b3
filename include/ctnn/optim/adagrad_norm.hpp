#pragma once
// optim::adagrad_norm: AdaGrad with one scalar step size (Ward, Wu & Bottou 2019, "AdaGrad
// stepsizes: sharp convergence over nonconvex landscapes", arXiv:1806.01811, AdaGrad-Norm):
//   g ← g + λ p
//   b_t² = b_{t−1}² + ‖g‖²          (b_0 = .b0; ‖·‖ over the whole arena, or all slots)
//   p ← p − η g / b_t
// Two passes: the gradient's norm, then the step. Defaults: η = 1, b_0 = 10⁻².
#include <cmath>
#include <cstddef>
#include <span>
#include <string_view>
#include <xsimd/xsimd.hpp>
#include <ctnn/graph/slot.hpp>
#include <ctnn/optim/concepts.hpp>
#include <ctnn/optim/fused_pass.hpp>

namespace ctnn::optim {

struct adagrad_norm {
  static constexpr std::string_view name = "adagrad_norm";
  float lr = 1.0f;
  float b0 = 1e-2f;
  float weight_decay = 0.0f;
  bool decay_biases = false;  ///< per-slot update only: see optim/concepts.hpp

  template <class S>
  struct state {
    double b_squared = 0.0;  ///< b_t², set to b_0² by make_state
    std::size_t steps = 0;
    /// The checkpoint protocol (ctnn/io/optimizer_state.hpp): the scalar b_t² (double) and the step
    /// counter.
    template <class F>
    void visit_state(F&& f) {
      f(std::string_view("b_squared"), b_squared);
      f(std::string_view("steps"), steps);
    }
  };

  template <class S>
  state<S> make_state(std::size_t) const {
    return {double(b0) * double(b0), 0};
  }

  template <class S>
  void update(S* p, const S* g, state<S>& st, std::size_t n) const {
    update_with_lr(p, g, st, n, static_cast<S>(lr));
  }
  template <class S>
  void update_with_lr(S* p, const S* g, state<S>& st, std::size_t n, S eta) const {
    const slot_desc all{.offset = 0, .rank = 2, .rows = n, .cols = 1};
    step(p, g, st, std::span<const slot_desc>(&all, 1), eta, true);
  }
  template <class S>
  void update(S* p, const S* g, state<S>& st, std::span<const slot_desc> slots, S eta) const {
    step(p, g, st, slots, eta, decay_biases);
  }

 private:
  template <class S>
  void step(S* p, const S* g, state<S>& st, std::span<const slot_desc> slots, S eta, bool decay_all) const {
    using B = xsimd::batch<S>;
    ++st.steps;
    auto wd_of = [&](const slot_desc& s) { return decays(s, decay_all) ? static_cast<S>(weight_decay) : S(0); };
    for (const slot_desc& s : slots) {
      const S wd = wd_of(s);
      st.b_squared += parallel_sum<1>(s.offset, s.offset + s.size(), [&](std::size_t a, std::size_t b) {
        return fused_sum_squares<1, S>(a, b, [&](B w, B gr) { return std::array<B, 1>{gr + B(wd) * w}; },
                                       static_cast<const S*>(p), g);
      })[0];
    }
    // b² = 0 (b0 = 0 and no gradient yet): every gradient is 0 and nothing moves (η/0 · 0 was NaN).
    const S scale = st.b_squared > 0 ? static_cast<S>(double(eta) / std::sqrt(st.b_squared)) : S(0);
    for (const slot_desc& s : slots) {
      const S wd = wd_of(s);
      fused_pass_parallel(s.offset, s.offset + s.size(), g,
                          [&](B gg, B& pp) { pp = pp - B(scale) * (gg + B(wd) * pp); }, p);
    }
  }
};

}  // namespace ctnn::optim
