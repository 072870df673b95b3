#pragma once
// optim::sgd: stochastic gradient descent with momentum, dampening, Nesterov and L2 weight
// decay, exactly as torch.optim.SGD:
//   g ← g + λ p
//   v ← g                       on the first step (when μ ≠ 0)
//   v ← μ v + (1 − τ) g         afterwards
//   d ← g + μ v  (Nesterov)  or  d ← v  (μ ≠ 0)  or  d ← g
//   p ← p − η d
// One fused SIMD pass over (parameters, gradients, velocity).
#include <cstddef>
#include <xsimd/xsimd.hpp>
#include <ctnn/core/aligned_buffer.hpp>
#include <ctnn/core/parallel_for.hpp>

namespace ctnn::optim {

struct sgd {
  float lr = 0.01f;
  float momentum = 0.0f;
  float dampening = 0.0f;
  float weight_decay = 0.0f;
  bool nesterov = false;

  template <class S>
  struct state {
    aligned_buffer<S> velocity;
    std::size_t steps = 0;
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

  /// The update with a scheduled learning rate.
  template <class S>
  void update_with_lr(S* p, const S* g, state<S>& st, std::size_t n, S eta) const {
    const bool first = st.steps == 0;
    ++st.steps;
    S* v = st.velocity.data();
    auto run = [&](std::size_t lo, std::size_t hi) {
      if (momentum == 0.0f) update_range<false, false>(p, g, v, lo, hi, eta, first);
      else if (nesterov) update_range<true, true>(p, g, v, lo, hi, eta, first);
      else update_range<true, false>(p, g, v, lo, hi, eta, first);
    };
    // Memory-bound: two threads only pay off once the arenas leave L2 (≈ 256K parameters).
    const int threads = n >= (1u << 18) ? num_threads() : 1;
    parallel_chunks(threads, [&](int c, int cs) {
      const std::size_t block = (n / cs + 63) / 64 * 64;
      const std::size_t lo = std::min(n, block * c), hi = c + 1 == cs ? n : std::min(n, lo + block);
      run(lo, hi);
    });
  }

 private:
  template <bool Momentum, bool Nesterov, class S>
  void update_range(S* p, const S* g, S* v, std::size_t lo, std::size_t hi, S eta, bool first) const {
    using batch = xsimd::batch<S>;
    constexpr std::size_t w = batch::size;
    const S mu = momentum, keep = first ? S(1) : S(1) - S(dampening), wd = weight_decay;
    const S decay_v = first ? S(0) : mu;  // first step: v ← g exactly
    auto step = [&](auto pp, auto gg, auto vv, auto& out_p, auto& out_v) {
      auto gd = gg + decltype(gg)(wd) * pp;
      if constexpr (Momentum) {
        auto nv = decltype(gg)(decay_v) * vv + decltype(gg)(keep) * gd;
        out_v = nv;
        if constexpr (Nesterov) out_p = pp - decltype(gg)(eta) * (gd + decltype(gg)(mu) * nv);
        else out_p = pp - decltype(gg)(eta) * nv;
      } else {
        out_p = pp - decltype(gg)(eta) * gd;
      }
    };
    std::size_t i = lo;
    for (; i + w <= hi; i += w) {
      batch pp = batch::load_unaligned(p + i), gg = batch::load_unaligned(g + i);
      batch vv = Momentum ? batch::load_unaligned(v + i) : batch(S(0));
      batch np, nv;
      step(pp, gg, vv, np, nv);
      np.store_unaligned(p + i);
      if constexpr (Momentum) nv.store_unaligned(v + i);
    }
    for (; i < hi; ++i) {
      S np, nv;
      step(p[i], g[i], Momentum ? v[i] : S(0), np, nv);
      p[i] = np;
      if constexpr (Momentum) v[i] = nv;
    }
  }
};

}  // namespace ctnn::optim
