#pragma once
// optim::elementwise: the driver shared by every optimizer whose update is elementwise
// (sgd, the adam family, adagrad, rmsprop, adadelta, adabound, yogi, lion, signum). The
// optimizer O supplies only the rule:
//   template <class S> struct state { ...arenas...; std::size_t steps; };
//   make_state<S>(n)
//   begin_step(st, eta) -> per-step coefficients (advances st.steps; bias corrections, ...)
//   run(coeffs, p, g, st, lo, hi, wd): one fused_pass over [lo, hi) with weight decay wd
// and forwards its update / update_with_lr / per-slot update (optim/concepts.hpp) here, which
// splits large ranges over the threads. (Free functions rather than a CRTP base: a base class
// would make every `optim::adam{.lr = ...}` warn under -Wmissing-field-initializers.)
#include <algorithm>
#include <cstddef>
#include <span>
#include <ctnn/graph/slot.hpp>
#include <ctnn/optim/concepts.hpp>
#include <ctnn/optim/fused_pass.hpp>

namespace ctnn::optim::elementwise {

/// o.run(c, ...) over [lo, hi), split over the threads when the range is large.
template <class O, class C, class S, class St>
void run_range(const O& o, const C& c, S* p, const S* g, St& st, std::size_t lo, std::size_t hi, S wd) {
  const std::size_t n = hi - lo;
  const int threads = n >= detail::parallel_threshold ? num_threads() : 1;
  parallel_chunks(threads, [&](int k, int ks) {
    const std::size_t block = (n / ks + 63) / 64 * 64;
    const std::size_t a = std::min(hi, lo + block * k), b = k + 1 == ks ? hi : std::min(hi, a + block);
    o.run(c, p, g, st, a, b, wd);
  });
}

/// The flat update: the whole arena as one tensor, decayed.
template <class O, class S, class St>
void update(const O& o, S* p, const S* g, St& st, std::size_t n, S eta) {
  const auto c = o.begin_step(st, eta);
  run_range(o, c, p, g, st, 0, n, static_cast<S>(o.weight_decay));
}

/// The per-slot update: one step, decay only where decays(slot, o.decay_biases) holds.
template <class O, class S, class St>
void update(const O& o, S* p, const S* g, St& st, std::span<const slot_desc> slots, S eta) {
  const auto c = o.begin_step(st, eta);
  for (const slot_desc& s : slots) {
    const S wd = decays(s, o.decay_biases) ? static_cast<S>(o.weight_decay) : S(0);
    run_range(o, c, p, g, st, s.offset, s.offset + s.size(), wd);
  }
}

}  // namespace ctnn::optim::elementwise

/// The three forwarding members of an elementwise optimizer (inside its struct).
#define CTNN_ELEMENTWISE_UPDATES                                                                      \
  template <class S>                                                                                  \
  void update(S* p, const S* g, state<S>& st, std::size_t n) const {                                  \
    ::ctnn::optim::elementwise::update(*this, p, g, st, n, static_cast<S>(lr));                       \
  }                                                                                                   \
  template <class S>                                                                                  \
  void update_with_lr(S* p, const S* g, state<S>& st, std::size_t n, S eta) const {                   \
    ::ctnn::optim::elementwise::update(*this, p, g, st, n, eta);                                      \
  }                                                                                                   \
  template <class S>                                                                                  \
  void update(S* p, const S* g, state<S>& st, std::span<const ::ctnn::slot_desc> slots, S eta) const { \
    ::ctnn::optim::elementwise::update(*this, p, g, st, slots, eta);                                  \
  }
