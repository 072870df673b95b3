#pragma once
// The optimizer-state protocol, by which a training checkpoint saves and restores any
// optimizer's per-run state without knowing its type.
//
// A state type St (Opt::state<S>) provides either a member   void visit_state(F&& f)
// or a free function found by ADL                            void visit_state(St&, F&& f)
// which calls f once for each piece of state, always in the same order, with a name unique
// within the state (lower-case letters, digits, '_'):
//   f("velocity", std::span<S> arena)   an arena laid out like the parameter arena
//                                       (parameter_count elements), or an empty span when the
//                                       hyperparameters make it unused (sgd without momentum);
//   f("steps", std::size_t& counter)    an integer counter (any integral type);
//   f("beta1_power", S& value)          a floating-point scalar (float or double).
// Arenas are stored per parameter ("optimizer.velocity.0.weight", shape as the parameter), so a
// checkpoint does not depend on the arena's padding. Hyperparameters are not state: they come
// from the optimizer object the trainer was built with.
//
// Every optimizer in ctnn/optim/ (and the weight averages polyak_average / ema_average) gives its
// state a member visit_state; lookahead<Inner> forwards its inner optimizer's parts as
// "inner_<name>". A new optimizer adds one too, or a free visit_state(St&, f) next to its state.
#include <concepts>
#include <cstddef>
#include <span>
#include <string_view>
#include <utility>

namespace ctnn::io {

namespace detail {
struct any_state_part {
  template <class T>
  void operator()(std::string_view, T&&) const {}
};
}  // namespace detail

template <class St>
concept VisitableState = requires(St& st) { st.visit_state(detail::any_state_part{}); } ||
                         requires(St& st) { visit_state(st, detail::any_state_part{}); };

/// Calls f(name, part) for each piece of st (see the protocol above).
template <class St, class F>
void for_each_state_part(St& st, F&& f) {
  static_assert(VisitableState<St>,
                "ctnn checkpoint: this optimizer's state does not describe itself; give it a member "
                "visit_state(f) calling f(name, std::span<S> arena) / f(name, counter&) / f(name, scalar&) "
                "(see ctnn/io/optimizer_state.hpp)");
  if constexpr (requires { st.visit_state(f); }) st.visit_state(std::forward<F>(f));
  else visit_state(st, std::forward<F>(f));
}

}  // namespace ctnn::io
