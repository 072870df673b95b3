#pragma once
// optim::lars: layer-wise adaptive rate scaling (You, Gitman & Ginsburg 2017, arXiv:1708.03888,
// Algorithm 1), per slot l (one layer's weight or bias tensor):
//   λ_l = η_trust ‖w_l‖ / (‖g_l‖ + β ‖w_l‖ + ε)     (λ_l = 1 when ‖w_l‖ = 0 or ‖g_l‖ = 0, as NVIDIA's LARC)
//   v_l ← μ v_l + γ λ_l (g_l + β w_l)
//   w_l ← w_l − v_l
// γ is the global learning rate (.lr), β the weight decay (zero on slots that do not decay,
// optim/concepts.hpp). The flat update treats the whole arena as one layer. Two passes per slot:
// the norms (one read of w and g), then the fused momentum update.
// Defaults: γ = 0.1, μ = 0.9, β = 5·10⁻⁴, η_trust = 10⁻³.
#include <cmath>
#include <cstddef>
#include <span>
#include <string_view>
#include <xsimd/xsimd.hpp>
#include <ctnn/core/aligned_buffer.hpp>
#include <ctnn/graph/slot.hpp>
#include <ctnn/optim/concepts.hpp>
#include <ctnn/optim/fused_pass.hpp>

namespace ctnn::optim {

struct lars {
  static constexpr std::string_view name = "lars";
  float lr = 0.1f;
  float momentum = 0.9f;
  float weight_decay = 5e-4f;
  float trust_coefficient = 1e-3f;
  float eps = 0.0f;
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

  template <class S>
  void update(S* p, const S* g, state<S>& st, std::size_t n) const {
    update_with_lr(p, g, st, n, static_cast<S>(lr));
  }
  template <class S>
  void update_with_lr(S* p, const S* g, state<S>& st, std::size_t n, S eta) const {
    ++st.steps;
    update_slot(p, g, st, 0, n, eta, static_cast<S>(weight_decay));
  }
  template <class S>
  void update(S* p, const S* g, state<S>& st, std::span<const slot_desc> slots, S eta) const {
    ++st.steps;
    for (const slot_desc& s : slots)
      update_slot(p, g, st, s.offset, s.offset + s.size(), eta,
                  decays(s, decay_biases) ? static_cast<S>(weight_decay) : S(0));
  }

  /// The local learning rate λ_l of one slot from its norms.
  double trust_ratio(double w_norm, double g_norm, double wd) const {
    if (w_norm == 0.0 || g_norm == 0.0) return 1.0;
    return double(trust_coefficient) * w_norm / (g_norm + wd * w_norm + double(eps));
  }

 private:
  template <class S>
  void update_slot(S* p, const S* g, state<S>& st, std::size_t lo, std::size_t hi, S eta, S wd) const {
    using B = xsimd::batch<S>;
    const auto sq = parallel_sum<2>(lo, hi, [&](std::size_t a, std::size_t b) {
      return fused_sum_squares<2, S>(a, b, [](B w, B gr) { return std::array<B, 2>{w, gr}; },
                                     static_cast<const S*>(p), g);
    });
    const S scale = static_cast<S>(double(eta) * trust_ratio(std::sqrt(sq[0]), std::sqrt(sq[1]), double(wd)));
    const S mu = momentum;
    if (momentum == 0.0f)
      fused_pass_parallel(lo, hi, g, [&](B gg, B& pp) { pp = pp - B(scale) * (gg + B(wd) * pp); }, p);
    else
      fused_pass_parallel(lo, hi, g, [&](B gg, B& pp, B& vv) {
        vv = B(mu) * vv + B(scale) * (gg + B(wd) * pp);
        pp = pp - vv;
      }, p, st.velocity.data());
  }
};

}  // namespace ctnn::optim
