#pragma once
// trainer: one model, one loss, one optimizer and the optimizer's state. step() is one full
// training step: forward, loss (value and ∂L/∂y in one pass), backward (which overwrites the
// gradient arena: that is the zero-grad), and the optimizer's fused update. Where the network
// fuses its step (a pipelined team step on two threads, graph/pipeline_step.hpp), forward, loss
// gradient and backward run as one pass, the loss's gradient block by block and its value from
// the whole output after, with the same bits. Nothing is allocated once the largest batch has
// been seen.
//
//   ctnn::trainer tr{m, ctnn::loss::softmax_cross_entropy{}, ctnn::optim::sgd{.lr = 0.01f}};
//   float l = tr.step(x, labels, batch);
#include <cstddef>
#include <span>
#include <ctnn/core/model.hpp>
#include <ctnn/loss/concepts.hpp>
#include <ctnn/optim/concepts.hpp>
#include <ctnn/optim/elementwise.hpp>

namespace ctnn {

namespace detail {
/// The optimizer's state type, or an empty stand-in where Opt is not an optimizer (expect_optimizer
/// has said so: one error, not one per use of the missing type).
template <class Opt, class S>
struct optimizer_state {
  struct type {};
};
template <class Opt, class S>
  requires TrainerOptimizer<Opt, S>
struct optimizer_state<Opt, S> {
  using type = typename Opt::template state<S>;
};
template <class Opt, class S>
using optimizer_state_t = typename optimizer_state<Opt, S>::type;
template <class S, class Opt>
optimizer_state_t<Opt, S> make_optimizer_state(const Opt& opt, std::size_t n) {
  if constexpr (TrainerOptimizer<Opt, S>) return opt.template make_state<S>(n);
  else return {};
}
}  // namespace detail

template <class Model, class LossFn, class Opt>
class trainer {
 public:
  using scalar = typename Model::scalar;
  using target_type = typename LossFn::template target<scalar>;
  static_assert(loss::outputs_fit<LossFn, Model::out_features>());
  static_assert(expect_optimizer<Opt, scalar>::value || true);  // its own message when Opt is not an optimizer

  trainer(Model& m, LossFn loss, Opt opt)
      : model_(m), loss_(loss), opt_(opt), state_(detail::make_optimizer_state<scalar>(opt, Model::parameter_count)) {}

  /// One step on a batch: x is batch × in_features, targets batch (labels) or batch × out.
  /// Returns the loss before the update. Nothing is checked here (this is the hot path): targets
  /// must be valid for the loss (fit checks them; or call LossFn::check_targets once).
  scalar step(const scalar* x, const target_type* targets, std::size_t batch) {
    const scalar loss = forward_backward(x, targets, batch);
    apply_update();
    return loss;
  }

  /// Forward, loss and backward without the update (gradient accumulation: accumulate = true
  /// adds into the gradient arena).
  /// `weight` scales this batch's gradient: a micro-batch of b samples out of B contributes with
  /// weight b/B, so the accumulated gradient equals the gradient of the mean over all B.
  scalar forward_backward(const scalar* x, const target_type* targets, std::size_t batch,
                          bool accumulate = false, scalar weight = scalar(1)) {
    last_batch_ = batch;
    if constexpr (RowwiseLoss<LossFn>) {
      // Where the network fuses the step (a pipelined team step), the loss's gradient is taken
      // block by block inside it and its value from the whole output after: the same bits.
      if (!accumulate) {
        loss_blocks blocks{model_, targets, batch, weight};
        if (model_.fused_forward_backward(x, batch, blocks)) return blocks.value;
      }
    }
    const scalar* y = model_.forward(x, batch);
    scalar* dy = model_.output_gradient();
    const scalar loss = LossFn::value_and_grad(y, targets, batch, Model::out_features, dy);
    if (weight != scalar(1))
      for (std::size_t i = 0; i < batch * Model::out_features; ++i) dy[i] *= weight;
    model_.backward(dy, accumulate);
    return loss;
  }

  /// The optimizer's update from the current gradient arena, at the optimizer's own lr.
  void apply_update() { apply_update(static_cast<scalar>(base_learning_rate())); }

  /// The optimizer's own learning rate (a wrapper such as lookahead has it on its inner optimizer).
  double base_learning_rate() const {
    if constexpr (requires { opt_.lr; }) return opt_.lr;
    else if constexpr (requires { opt_.inner.lr; }) return opt_.inner.lr;
    else return 0;  // not an optimizer trainer takes: expect_optimizer has said so
  }
  /// The update with a scheduled learning rate. Optimizers that know the slot table get it: their
  /// per-layer rules (LARS/LAMB trust ratios, no weight decay on biases and gains) apply.
  void apply_update(scalar lr) {
    const std::span<const slot_desc> slots(Model::slots);
    // Elementwise optimizers update each dense layer's rows on the threads whose forward and
    // weight gradient computed them at the last batch (optim/elementwise.hpp).
    if constexpr (requires { opt_.update(model_.parameters().data(), model_.gradients().data(), state_, slots, lr,
                                         optim::layer_owners{}); }) {
      bool team = false;
      std::size_t stage_boundary = 0;
      if constexpr (requires { Model::root::template team_step<scalar>(std::size_t{}, 1); }) {
        stage_boundary = Model::root::template pipeline_stage_boundary<scalar>(last_batch_, num_threads());
        team = stage_boundary == 0 && Model::root::template team_step<scalar>(last_batch_, num_threads());
      }
      opt_.update(model_.parameters().data(), model_.gradients().data(), state_, slots, lr,
                  optim::layer_owners{last_batch_, team, stage_boundary});
    }
    else if constexpr (requires { opt_.update(model_.parameters().data(), model_.gradients().data(), state_, slots, lr); })
      opt_.update(model_.parameters().data(), model_.gradients().data(), state_, slots, lr);
    else if constexpr (TrainerOptimizer<Opt, scalar>)
      opt_.update_with_lr(model_.parameters().data(), model_.gradients().data(), state_,
                          Model::parameter_count, lr);
  }

  Model& model() noexcept { return model_; }
  Opt& optimizer() noexcept { return opt_; }
  auto& optimizer_state() noexcept { return state_; }
  const LossFn& loss() const noexcept { return loss_; }

 private:
  /// The loss inside a fused step (model::fused_forward_backward): dy block by block, scaled by
  /// the batch's weight as forward_backward scales it, then the value.
  struct loss_blocks {
    Model& model;
    const target_type* targets;
    std::size_t batch;
    scalar weight;
    scalar value = 0;
    void rows(std::size_t r0, std::size_t r1) {
      scalar* dy = model.output_gradient();
      LossFn::gradient_rows(model.output(), targets, batch, Model::out_features, r0, r1, dy);
      if (weight != scalar(1))
        for (std::size_t i = r0 * Model::out_features; i < r1 * Model::out_features; ++i) dy[i] *= weight;
    }
    void finish() {
      value = LossFn::value_and_grad(model.output(), targets, batch, Model::out_features, static_cast<scalar*>(nullptr));
    }
  };

  Model& model_;
  LossFn loss_;
  Opt opt_;
  detail::optimizer_state_t<Opt, scalar> state_;
  std::size_t last_batch_ = 0;  ///< the last forward_backward's batch (which threads own which rows)
};

template <class Model, class LossFn, class Opt>
trainer(Model&, LossFn, Opt) -> trainer<Model, LossFn, Opt>;

}  // namespace ctnn
