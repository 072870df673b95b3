#pragma once
// optim::lamb: layer-wise adaptive moments (You et al. 2020, "Large batch optimization for deep
// learning: training BERT in 76 minutes", arXiv:1904.00962, Algorithm 2), per slot l:
//   m ← β₁ m + (1 − β₁) g,   v ← β₂ v + (1 − β₂) g²
//   m̂ = m / (1 − β₁ᵗ),  v̂ = v / (1 − β₂ᵗ)          (bias_correction = false: m̂ = m, v̂ = v)
//   u_l = m̂ / (√v̂ + ε) + λ x_l
//   x_l ← x_l − η (‖x_l‖ / ‖u_l‖) u_l              (ratio 1 when ‖x_l‖ = 0 or ‖u_l‖ = 0)
// with φ the identity, λ zero on slots that do not decay (optim/concepts.hpp). The flat update
// treats the whole arena as one layer. Two passes per slot: moments and both norms, then the
// step (which re-reads m and v instead of keeping u).
// Defaults: η = 10⁻³, β = (0.9, 0.999), ε = 10⁻⁶, λ = 10⁻².
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <span>
#include <string_view>
#include <xsimd/xsimd.hpp>
#include <ctnn/core/aligned_buffer.hpp>
#include <ctnn/core/simd.hpp>
#include <ctnn/graph/slot.hpp>
#include <ctnn/optim/concepts.hpp>
#include <ctnn/optim/fused_pass.hpp>

namespace ctnn::optim {

struct lamb {
  static constexpr std::string_view name = "lamb";
  float lr = 1e-3f;
  float beta1 = 0.9f;
  float beta2 = 0.999f;
  float eps = 1e-6f;
  float weight_decay = 1e-2f;
  bool bias_correction = true;
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
    return st;
  }

  template <class S>
  void update(S* p, const S* g, state<S>& st, std::size_t n) const {
    update_with_lr(p, g, st, n, static_cast<S>(lr));
  }
  template <class S>
  void update_with_lr(S* p, const S* g, state<S>& st, std::size_t n, S eta) const {
    const auto c = begin_step(st);
    update_slot(c, p, g, st, 0, n, eta, static_cast<S>(weight_decay));
  }
  template <class S>
  void update(S* p, const S* g, state<S>& st, std::span<const slot_desc> slots, S eta) const {
    const auto c = begin_step(st);
    for (const slot_desc& s : slots)
      update_slot(c, p, g, st, s.offset, s.offset + s.size(), eta,
                  decays(s, decay_biases) ? static_cast<S>(weight_decay) : S(0));
  }

  /// φ(‖x‖)/‖u‖ with φ the identity.
  static double trust_ratio(double x_norm, double u_norm) {
    return x_norm == 0.0 || u_norm == 0.0 ? 1.0 : x_norm / u_norm;
  }

 private:
  struct coeffs {
    double inv_c1, inv_sqrt_c2;
  };
  template <class S>
  coeffs begin_step(state<S>& st) const {
    const double t = static_cast<double>(++st.steps);
    if (!bias_correction) return {1.0, 1.0};
    return {1 / (1 - std::pow(double(beta1), t)), 1 / std::sqrt(1 - std::pow(double(beta2), t))};
  }

  template <class S>
  void update_slot(const coeffs& c, S* p, const S* g, state<S>& st, std::size_t lo, std::size_t hi, S eta,
                   S wd) const {
    using B = xsimd::batch<S>;
    const S b1 = beta1, b2 = beta2, e = eps, ic1 = static_cast<S>(c.inv_c1), ic2 = static_cast<S>(c.inv_sqrt_c2);
    auto direction = [&](B pp, B mm, B vv) { return B(ic1) * mm / (xsimd::sqrt(vv) * B(ic2) + B(e)) + B(wd) * pp; };
    // Pass 1: moments, ‖x‖² and ‖u‖², float partial sums drained into double every 1024 elements.
    const auto sq = parallel_sum<2>(lo, hi, [&](std::size_t a, std::size_t b) {
      std::array<double, 2> total{};
      for (std::size_t blo = a; blo < b; blo += 1024) {
        B ax(S(0)), au(S(0));
        fused_pass(blo, std::min(b, blo + 1024), g, [&](B gg, B& pp, B& mm, B& vv) {
          mm = B(b1) * mm + B(S(1) - b1) * gg;
          vv = B(b2) * vv + B(S(1) - b2) * gg * gg;
          const B u = direction(pp, mm, vv);
          ax = simd::fma(pp, pp, ax);
          au = simd::fma(u, u, au);
        }, static_cast<const S*>(p), st.m.data(), st.v.data());
        total[0] += static_cast<double>(xsimd::hadd(ax));
        total[1] += static_cast<double>(xsimd::hadd(au));
      }
      return total;
    });
    const S step = static_cast<S>(double(eta) * trust_ratio(std::sqrt(sq[0]), std::sqrt(sq[1])));
    // Pass 2: the step (m stands in the gradient's place: g is not needed again).
    fused_pass_parallel(lo, hi, static_cast<const S*>(st.m.data()), [&](B mm, B& pp, B& vv) {
      pp = pp - B(step) * direction(pp, mm, vv);
    }, p, static_cast<const S*>(st.v.data()));
  }
};

}  // namespace ctnn::optim
