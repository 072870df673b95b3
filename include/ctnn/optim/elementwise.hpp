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
#include <ctnn/kernels/blocking.hpp>
#include <ctnn/optim/concepts.hpp>
#include <ctnn/optim/fused_pass.hpp>

namespace ctnn::optim {
/// Tells the per-slot update the batch size the model's last forward ran at, so it can update
/// each dense layer's weights on the threads that computed them (elementwise::update below).
struct layer_owners {
  std::size_t batch = 0;
  /// The model ran a whole-network team step (graph/chain_node.hpp): every dense layer's rows
  /// are owned as kernels::detail::dense_team_split says.
  bool team = false;
  /// Not 0: the model ran a pipelined step on two threads (graph/pipeline_step.hpp). The
  /// parameters before this offset are thread 0's, the rest thread 1's.
  std::size_t stage_boundary = 0;
};
}  // namespace ctnn::optim

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

/// The per-slot update, each dense layer's weight rows and bias entries updated on the thread
/// whose forward computed those outputs at owners.batch (kernels::detail::dense_forward_split;
/// dense_backward_weights wrote their gradient there too): a row of W, its gradient and its
/// optimizer state then never leave that core's cache. Other slots: split evenly when large,
/// else updated by thread 0 (the calling thread, which ran the serial layers). One parallel
/// region for all slots; without any split layer, the plain per-slot loop. The result does not
/// depend on the split: the rule is elementwise.
template <class O, class S, class St>
void update(const O& o, S* p, const S* g, St& st, std::span<const slot_desc> slots, S eta, layer_owners owners) {
  using kernels::detail::dense_forward_split;
  using kernels::detail::dense_split;
  const int team = num_threads();
  if (team <= 1) return update(o, p, g, st, slots, eta);
  if (owners.stage_boundary > 0 && team == 2) {
    // Each stage's slots whole on its thread (all on thread 0 if the team forms smaller).
    const auto c = o.begin_step(st, eta);
    parallel_chunks(2, [&](int k, int ks) {
      for (const slot_desc& s : slots) {
        const int owner = ks == 2 && s.offset >= owners.stage_boundary ? 1 : 0;
        if (owner != k) continue;
        const S wd = decays(s, o.decay_biases) ? static_cast<S>(o.weight_decay) : S(0);
        o.run(c, p, g, st, s.offset, s.offset + s.size(), wd);
      }
    });
    return;
  }
  auto split_of = [&](const slot_desc& s) {
    if (s.rank != 2) return dense_split{};
    return owners.team ? kernels::detail::dense_team_split(s.rows, team)
                       : dense_forward_split<S>(s.cols, s.rows, owners.batch, team);
  };
  bool any = false;
  for (const slot_desc& s : slots) any = any || split_of(s).by_panels;
  if (!any) return update(o, p, g, st, slots, eta);
  const auto c = o.begin_step(st, eta);
  parallel_chunks(team, [&](int k, int ks) {
    dense_split weight{};  // the split of the weight slot just before, for its bias
    std::size_t weight_rows = 0;
    for (const slot_desc& s : slots) {
      const S wd = decays(s, o.decay_biases) ? static_cast<S>(o.weight_decay) : S(0);
      dense_split split = split_of(s);
      if (s.rank == 1 && s.role == slot_role::bias && s.rows == weight_rows) split = weight;
      const std::size_t n = s.size();
      if (split.by_panels && split.threads == ks) {
        const auto [r0, r1] = split.rows(s.rows, k);
        o.run(c, p, g, st, s.offset + r0 * s.cols, s.offset + r1 * s.cols, wd);
      } else if (n >= detail::parallel_threshold) {
        const std::size_t block = (n / std::size_t(ks) + 63) / 64 * 64;
        const std::size_t a = std::min(n, block * std::size_t(k));
        const std::size_t b = k + 1 == ks ? n : std::min(n, a + block);
        o.run(c, p, g, st, s.offset + a, s.offset + b, wd);
      } else if (k == 0) {
        o.run(c, p, g, st, s.offset, s.offset + n, wd);
      }
      weight = s.rank == 2 ? split : dense_split{};
      weight_rows = s.rank == 2 ? s.rows : 0;
    }
  });
}

}  // namespace ctnn::optim::elementwise

/// The four forwarding members of an elementwise optimizer (inside its struct).
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
  }                                                                                                   \
  template <class S>                                                                                  \
  void update(S* p, const S* g, state<S>& st, std::span<const ::ctnn::slot_desc> slots, S eta,         \
              ::ctnn::optim::layer_owners owners) const {                                             \
    ::ctnn::optim::elementwise::update(*this, p, g, st, slots, eta, owners);                          \
  }
