#pragma once
// optim::lookahead<Inner> (Zhang, Lucas, Hinton & Ba 2019, "Lookahead optimizer: k steps
// forward, 1 step back", arXiv:1907.08610, Algorithm 1): the inner optimizer takes the fast
// steps; every k steps the slow weights φ move toward the fast ones θ and the fast ones restart
// from them:
//   φ ← φ + α (θ − φ),   θ ← φ
// φ is the parameters at the first update. Defaults: k = 5, α = 0.5.
//   optim::lookahead<optim::adam>{.inner = {.lr = 1e-3f}, .k = 5, .alpha = 0.5f}
#include <algorithm>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <xsimd/xsimd.hpp>
#include <ctnn/core/aligned_buffer.hpp>
#include <ctnn/core/error.hpp>
#include <ctnn/graph/slot.hpp>
#include <ctnn/optim/concepts.hpp>
#include <ctnn/optim/fused_pass.hpp>
#include <ctnn/core/name_of.hpp>

namespace ctnn::optim {

template <class Inner>
struct lookahead {
  static std::string name() { return naming::compose("lookahead", {naming::type<Inner>()}); }
  static_assert(Optimizer<Inner>, "lookahead<Inner> requires Inner to be an Optimizer");
  Inner inner{};
  std::size_t k = 5;
  float alpha = 0.5f;

  template <class S>
  struct state {
    typename Inner::template state<S> inner;
    aligned_buffer<S> slow;
    std::size_t steps = 0;
    /// The checkpoint protocol (ctnn/io/optimizer_state.hpp): the inner optimizer's parts, each
    /// renamed inner_<name> (so lookahead<adam> stores optimizer.inner_m.<param>, ...), then arena
    /// slow (φ) and the step counter (which decides when the next synchronization happens).
    /// Requires the inner state to have a member visit_state, as every ctnn optimizer's has.
    template <class F>
    void visit_state(F&& f) {
      inner.visit_state([&]<class Part>(std::string_view name, Part&& part) {
        const std::string renamed = "inner_" + std::string(name);  // f only reads the name during the call
        f(std::string_view(renamed), std::forward<Part>(part));
      });
      f(std::string_view("slow"), std::span<S>(slow.data(), slow.size()));
      f(std::string_view("steps"), steps);
    }
  };

  template <class S>
  state<S> make_state(std::size_t n) const {
    state<S> st{inner.template make_state<S>(n), aligned_buffer<S>(n), 0};
    return st;
  }

  template <class S>
  void update(S* p, const S* g, state<S>& st, std::size_t n) const {
    update_with_lr(p, g, st, n, static_cast<S>(inner.lr));
  }
  template <class S>
  void update_with_lr(S* p, const S* g, state<S>& st, std::size_t n, S eta) const {
    check_k();
    if (st.steps == 0) std::copy(p, p + n, st.slow.data());
    inner.update_with_lr(p, g, st.inner, n, eta);
    if (++st.steps % k == 0) synchronize(p, st, 0, n);
  }
  template <class S>
  void update(S* p, const S* g, state<S>& st, std::span<const slot_desc> slots, S eta) const
    requires SlotOptimizer<Inner>
  {
    check_k();
    if (st.steps == 0)
      for (const slot_desc& s : slots) std::copy(p + s.offset, p + s.offset + s.size(), st.slow.data() + s.offset);
    inner.update(p, g, st.inner, slots, eta);
    if (++st.steps % k == 0)
      for (const slot_desc& s : slots) synchronize(p, st, s.offset, s.offset + s.size());
  }

 private:
  /// k = 0 has no sync step (st.steps % k divided by zero).
  void check_k() const {
    if (k == 0) throw error("ctnn::optim::lookahead: k is 0; the slow weights follow the fast ones every k >= 1 steps");
  }
  template <class S>
  void synchronize(S* p, state<S>& st, std::size_t lo, std::size_t hi) const {
    using B = xsimd::batch<S>;
    const S a = alpha;
    fused_pass_parallel(lo, hi, static_cast<const S*>(p), [&](B, B& pp, B& slow) {
      slow = slow + B(a) * (pp - slow);
      pp = slow;
    }, p, st.slow.data());
  }
};

}  // namespace ctnn::optim
