#pragma once
// The Optimizer contract. An optimizer is its hyperparameters (a designated-initializer
// struct); its per-run state lives apart, in arenas of the parameter arena's layout:
//     auto st = opt.template make_state<S>(n);            // zeroed state for n parameters
//     opt.update(params, grads, st, n);                   // one fused pass over the arenas
//     opt.update_with_lr(params, grads, st, n, lr);       // the same with a scheduled rate
//
// SlotOptimizer: the per-slot form. The model's slot table (Model::slots) tells the optimizer
// where each parameter tensor lives in the arena and whether it is a weight or a bias:
//     opt.update(params, grads, st, std::span<const slot_desc>(Model::slots), lr);
// It is one optimizer step (the step counter advances once) that
//   * applies weight decay only to slots that decay(): weights of rank ≥ 2 by default; biases
//     and rank-1 weights (normalization gains) are not decayed unless `.decay_biases = true`;
//   * computes layer-wise quantities (LARS / LAMB trust ratios) per slot;
//   * touches only the slots' elements (the arena's alignment padding stays as it is).
// The flat form update(p, g, st, n) treats the whole arena as one tensor and decays everything
// (PyTorch's behaviour with a single parameter group).
//
// Later optimizers that need more than (params, grads) — K-FAC's per-layer inputs and output
// gradients, SVRG's full-batch snapshot — keep this shape: hyperparameters apart from state,
// state made from the parameter count, an update per step; the extra inputs become arguments of
// their own update overload, and the trainer feeds them where it has them.
#include <concepts>
#include <cstddef>
#include <span>
#include <utility>
#include <ctnn/graph/slot.hpp>

namespace ctnn {

template <class O>
concept Optimizer = requires(const O o, float* p, const float* g, std::size_t n) {
  typename O::template state<float>;
  { o.template make_state<float>(n) } -> std::same_as<typename O::template state<float>>;
  o.update(p, g, std::declval<typename O::template state<float>&>(), n);
};

template <class O>
concept SlotOptimizer = Optimizer<O> && requires(const O o, float* p, const float* g,
                                                 std::span<const slot_desc> slots, float lr) {
  o.update(p, g, std::declval<typename O::template state<float>&>(), slots, lr);
  o.update_with_lr(p, g, std::declval<typename O::template state<float>&>(), std::size_t{}, lr);
};

/// What trainer (and so fit) uses of an optimizer on a model of scalar S: its state type and
/// make_state, the per-slot update or update_with_lr, and a learning rate of its own (or its inner
/// optimizer's, as lookahead's).
template <class O, class S>
concept TrainerOptimizer = requires(const O o, S* p, const S* g, std::size_t n) {
  typename O::template state<S>;
  { o.template make_state<S>(n) } -> std::same_as<typename O::template state<S>>;
  requires requires(typename O::template state<S>& st, std::span<const slot_desc> slots, S lr) {
    o.update(p, g, st, slots, lr);
  } || requires(typename O::template state<S>& st, S lr) { o.update_with_lr(p, g, st, n, lr); };
  requires requires { o.lr; } || requires { o.inner.lr; };
};

/// fit and trainer: the optimizer argument (the type shown) must be a TrainerOptimizer for the
/// model's scalar S. A schedule in its place (a grid's lists mixed up) gets its own message.
/// value is false on failure, so that fit and trainer stop there: one error, not one per use of
/// what the type lacks.
template <class O, class S>
struct expect_optimizer {
  static constexpr bool is_schedule = requires(const O o, std::size_t t) {
    { o(t) } -> std::convertible_to<double>;
  };
  static_assert(TrainerOptimizer<O, S> || !is_schedule,
                "ctnn: this is a learning-rate schedule, not an optimizer: pass an optim:: optimizer here and "
                "the schedule as fit_options::schedule");
  static_assert(TrainerOptimizer<O, S> || is_schedule,
                "ctnn: this type is not an optimizer for this model (trainer needs O::state<S>, "
                "O::make_state<S>(n), O::update(params, grads, state, slots, lr) or O::update_with_lr(params, grads, "
                "state, n, lr), and a learning rate O::lr; S is the model's scalar, the second argument shown)");
  static constexpr bool value = TrainerOptimizer<O, S>;
};

namespace optim {
/// The default decay rule of the per-slot update: matrices decay, biases and gains do not.
constexpr bool decays(const slot_desc& s, bool decay_biases) noexcept {
  return decay_biases || (s.role == slot_role::weight && s.rank >= 2);
}
}  // namespace optim

}  // namespace ctnn
