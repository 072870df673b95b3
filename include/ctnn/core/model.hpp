#pragma once
// model<Net, Scalar>: a network type made real. It owns
//  - ONE 64-byte-aligned parameter arena, with every slot's offset a compile-time constant,
//  - a gradient arena of the same layout,
//  - a buffer arena (running statistics of normalization layers): named like parameters
//    ("1.running_mean") but never given gradients or optimizer updates,
//  - a mode, training or evaluation (m.train(), m.eval()); predict() always runs in evaluation,
//  - the forward state (activations) and backward scratch, sized once for the largest batch.
// Parameters are named as PyTorch's nn.Sequential names the equivalent module ("0.weight") and
// reachable by name as xtensor views into the arena.
//
//   ctnn::model<net> m{ctnn::seed{42}};
//   auto y = m.predict(x);                         // x: batch × N (xtensor), y: batch × out
//   auto w = m.parameter("0.weight");              // view: [out, in]
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>
#include <fmt/format.h>
#include <ctnn/core/aligned_buffer.hpp>
#include <ctnn/core/checks.hpp>
#include <ctnn/core/error.hpp>
#include <ctnn/core/rng.hpp>
#include <ctnn/core/xtensor.hpp>
#include <ctnn/graph/compile.hpp>
#include <ctnn/kernels/dense.hpp>

namespace ctnn {

template <class Net, class Scalar = float>
class model {
  static_assert(std::is_same_v<Scalar, float> || std::is_same_v<Scalar, double>,
                "ctnn::model<Net, Scalar>: Scalar must be float or double");
  using traits = detail::network_traits<Net>;

 public:
  using network = Net;
  using scalar = Scalar;
  using root = typename traits::root;

  static constexpr std::size_t in_features = traits::in;
  /// The input's shape: {features, 1, 1} for input<N>, {C, H, W} for images (given NCHW).
  static constexpr feature_shape input_shape = traits::in_shape;
  static constexpr std::size_t out_features = root::out;
  static constexpr std::size_t parameter_count = root::params;  ///< arena size, with slot padding
  static constexpr std::size_t slot_count = root::slot_count;
  static constexpr std::array<slot_desc, slot_count> slots = root::slots();
  static constexpr std::size_t buffer_count = root::buffers;  ///< buffer arena size, with padding
  static constexpr std::size_t buffer_slot_count = root::buffer_slot_count;
  static constexpr std::array<slot_desc, buffer_slot_count> buffer_slots = root::buffer_slots();
  /// GEMM flops of one forward pass per sample (2·In·Out per dense layer).
  static constexpr std::size_t forward_flops_per_sample = root::flops_per_sample;

  explicit model(ctnn::seed s = {})
      : params_(parameter_count), grads_(parameter_count), buffers_(std::max<std::size_t>(1, buffer_count)) {
    reinitialize(s);
  }

  /// Draws every parameter again from its init policy (one random stream per slot) and resets
  /// the buffers.
  void reinitialize(ctnn::seed s) {
    seed_ = s.value;
    random_draws_ = 0;
    std::fill(params_.begin(), params_.end(), Scalar(0));
    root::init(params_.data(), s.value, 0);
    reset_buffers();
  }
  /// Puts every buffer back to its initial value (running mean 0, running variance 1).
  void reset_buffers() noexcept {
    std::fill(buffers_.begin(), buffers_.end(), Scalar(0));
    for (const auto& b : buffer_slots) std::fill_n(buffers_.data() + b.offset, b.size(), static_cast<Scalar>(b.initial));
  }

  // ---- randomness of stochastic layers ----
  /// Random draws made so far by stochastic layers (dropout: one per layer per training forward).
  /// The next mask depends only on random_seed() and this count; training checkpoints save both.
  std::uint64_t random_draws() const noexcept { return random_draws_; }
  /// Sets the draw count (resuming from a checkpoint, or replaying the same masks).
  void set_random_draws(std::uint64_t n) noexcept { random_draws_ = n; }
  /// The seed of the stochastic layers' streams: the model's seed at its last (re)initialization.
  std::uint64_t random_seed() const noexcept { return seed_; }
  /// Sets that seed and the draw count together (resuming from a checkpoint).
  void set_random_state(std::uint64_t seed, std::uint64_t draws) noexcept {
    seed_ = seed;
    random_draws_ = draws;
  }

  // ---- mode ----
  /// Training mode (the default): normalization uses batch statistics and updates running ones.
  void train() noexcept { mode_ = mode::train; }
  /// Evaluation mode: normalization uses the running statistics; buffers are left unchanged.
  void eval() noexcept { mode_ = mode::eval; }
  void set_mode(ctnn::mode m) noexcept { mode_ = m; }
  ctnn::mode current_mode() const noexcept { return mode_; }
  /// Batch-norm folding in evaluation for this model only (docs/init_and_norm.md): it folds when
  /// both this and the global ctnn::fold_batch_norm allow it. diag::signal_probe turns it off for
  /// its forward, which must write every layer's own output, without touching the global that other
  /// threads' models read.
  void set_fold_batch_norm(bool on) noexcept { fold_batch_norm_ = on; }
  bool folds_batch_norm() const noexcept { return fold_batch_norm_; }

  // ---- arenas ----
  std::span<Scalar> parameters() noexcept { return {params_.data(), params_.size()}; }
  std::span<const Scalar> parameters() const noexcept { return {params_.data(), params_.size()}; }
  std::span<Scalar> gradients() noexcept { return {grads_.data(), grads_.size()}; }
  std::span<const Scalar> gradients() const noexcept { return {grads_.data(), grads_.size()}; }
  void zero_gradients() noexcept { std::fill(grads_.begin(), grads_.end(), Scalar(0)); }
  /// The buffer arena (buffer_count elements; empty when the network has no buffers).
  std::span<Scalar> buffers() noexcept { return {buffers_.data(), buffer_count}; }
  std::span<const Scalar> buffers() const noexcept { return {buffers_.data(), buffer_count}; }

  // ---- names ----
  static std::vector<std::string> parameter_names() {
    std::vector<std::string> names;
    for (const auto& s : slots) names.push_back(s.name());
    return names;
  }
  /// The slot called `name` ("0.weight"); ctnn::error listing the valid names otherwise.
  static const slot_desc& slot(std::string_view name) {
    for (const auto& s : slots)
      if (s.name() == name) return s;
    throw error(fmt::format("ctnn::model: no parameter named '{}'; the network has: {}", name,
                            fmt::join(parameter_names(), ", ")));
  }
  /// An xtensor view of a parameter ([out, in] for weights, [out] for biases).
  auto parameter(std::string_view name) { return view(params_.data(), slot(name)); }

  static std::vector<std::string> buffer_names() {
    std::vector<std::string> names;
    for (const auto& s : buffer_slots) names.push_back(s.name());
    return names;
  }
  /// The buffer slot called `name` ("1.running_var"); ctnn::error listing the valid names otherwise.
  static const slot_desc& buffer_slot(std::string_view name) {
    for (const auto& s : buffer_slots)
      if (s.name() == name) return s;
    if (buffer_slots.empty())
      throw error(fmt::format("ctnn::model: no buffer named '{}'; the network has no buffers (running statistics "
                              "and power-iteration vectors are buffers; weights and biases are parameters)",
                              name));
    throw error(fmt::format("ctnn::model: no buffer named '{}'; the network has: {}", name,
                            fmt::join(buffer_names(), ", ")));
  }
  /// An xtensor view of a buffer ([features]).
  auto buffer(std::string_view name) { return view(buffers_.data(), buffer_slot(name)); }
  auto gradient(std::string_view name) { return view(grads_.data(), slot(name)); }

  // ---- low-level passes (raw row-major pointers; used by trainers and probes) ----
  /// Forward in the current mode; keeps what backward needs. x (batch × in_features) must stay alive and
  /// unchanged until backward.
  const Scalar* forward(const Scalar* x, std::size_t batch) {
    if (params_.size() != parameter_count) throw error("ctnn::model: this model was moved from; assign it a model first");
    reserve(batch);
    last_input_.value = x;
    last_batch_.value = batch;
    root::forward(context(), params_.data(), x, output_.data(), state_.data(), batch);
    return output_.data();
  }
  /// Output of the last forward: batch × out_features.
  const Scalar* output() const noexcept { return output_.data(); }
  Scalar* output_gradient() noexcept { return output_grad_.data(); }

  /// Backward from dy = ∂L/∂y (batch × out_features, the last forward's batch; dy is consumed).
  /// Gradients are written into the gradient arena, or added to it when accumulate is true.
  void backward(Scalar* dy, bool accumulate = false) { backward_observed(dy, detail::no_observer{}, accumulate); }

  /// Forward, loss gradient and backward of a training batch in one pass, where the network has a
  /// fused step for it (a pipelined team step: graph/pipeline_step.hpp). loss.rows(r0, r1) writes
  /// rows [r0, r1) of output_gradient() from those rows of output(), for ascending blocks of rows
  /// that end at the batch, possibly on another thread and before later rows exist; loss.finish()
  /// follows the last block (on the same thread; all of output() is there), while the backward
  /// still reads output_gradient(): finish() must not write it. Neither may throw (they run inside
  /// a parallel region). The gradient arena is overwritten. The results, and what a later backward would read, are those of forward then
  /// backward. Returns false, having done nothing, where there is no fused step: call forward,
  /// then backward.
  template <class LossBlocks>
  bool fused_forward_backward(const Scalar* x, std::size_t batch, LossBlocks& loss) {
    if constexpr (requires { root::template pipelined<Scalar>(batch, 2); }) {
      if (params_.size() != parameter_count) return false;  // forward reports it
      if (!root::template pipelined<Scalar>(batch, ctnn::num_threads()) || !context().training()) return false;
      reserve(batch);
      last_input_.value = x;
      last_batch_.value = batch;
      return root::fused_train_step(context(), params_.data(), grads_.data(), x, output_.data(), state_.data(),
                                    output_grad_.data(), scratch_.data(), batch, loss);
    } else {
      return false;
    }
  }

  /// Forgets the last forward's input pointer (predict, evaluate and value_and_grad call it before
  /// their own input buffers go away); a backward after it is an error, not a read of freed memory.
  void detach_input() noexcept { last_input_.value = nullptr; }

  /// Backward that reports each top-level layer's backward signal to `observe(module_index,
  /// description, e, width)`, e being ∂L/∂(the layer's pre-activation output), batch × width
  /// (layers only: not the image layout transposes).
  template <class Observer>
  void backward_observed(Scalar* dy, Observer&& observe, bool accumulate = false) {
    if (last_input_.value == nullptr)
      throw error("ctnn::model::backward: there is no training forward to differentiate (call forward(x, batch) "
                  "first; predict, evaluate and value_and_grad do not leave one)");
    root::template backward<false, identity>(context(), params_.data(), grads_.data(), last_input_.value,
                                             output_.data(), state_.data(), dy, static_cast<Scalar*>(nullptr),
                                             static_cast<const Scalar*>(nullptr), scratch_.data(), last_batch_.value,
                                             accumulate, std::forward<Observer>(observe));
  }

  /// After a forward: calls visit(module_index, description, output, width) for each top-level
  /// child in order (output: batch × width, after the layer's activation), the image layout
  /// transposes included (the child index is the position in the network: lsuv, zero_gamma).
  template <class Visit>
  void visit_layer_outputs(Visit&& visit) {
    root::visit_outputs(output_.data(), state_.data(), last_batch_.value, std::forward<Visit>(visit));
  }
  /// The same for the layers only: the layout transposes, which carry the next layer's module
  /// index, are left out (as backward_observed leaves them out).
  template <class Visit>
  void visit_layers_only_outputs(Visit&& visit) {
    root::template visit_outputs<true>(output_.data(), state_.data(), last_batch_.value, std::forward<Visit>(visit));
  }
  std::size_t last_batch() const noexcept { return last_batch_; }

  /// After a forward: the first top-level layer (in forward order) whose output holds a NaN or
  /// an infinity, as "module 2: dense<256> (Linear 256→256 + ReLU)"; empty when all are finite.
  std::string first_nonfinite_output() {
    std::string found;
    root::visit_outputs(output_.data(), state_.data(), last_batch_.value,
                        [&](std::size_t module, const std::string& what, const Scalar* out, std::size_t width) {
                          if (!found.empty()) return;
                          for (std::size_t i = 0; i < last_batch_ * width; ++i)
                            if (!std::isfinite(out[i])) {
                              found = fmt::format("module {}: {}, sample {}, feature {} = {}", module, what,
                                                  i / width, i % width, out[i]);
                              return;
                            }
                        });
    return found;
  }
  /// The first parameter slot, in forward order, holding a NaN or an infinity; empty when all are finite.
  std::string first_nonfinite_parameter() const {
    for (const auto& s : slots)
      for (std::size_t i = 0; i < s.size(); ++i)
        if (!std::isfinite(params_[s.offset + i]))
          return fmt::format("{} (element {} = {})", s.name(), i, params_[s.offset + i]);
    return {};
  }
  /// The slot nearest the output (where backpropagation meets it first) whose gradient holds a
  /// NaN or an infinity; empty when all are finite.
  std::string first_nonfinite_gradient() const {
    for (std::size_t k = slot_count; k-- > 0;) {
      const auto& s = slots[k];
      for (std::size_t i = 0; i < s.size(); ++i)
        if (!std::isfinite(grads_[s.offset + i]))
          return fmt::format("{} (element {} = {})", s.name(), i, grads_[s.offset + i]);
    }
    return {};
  }

  /// Sizes every workspace for `batch` samples (done once for the largest batch seen).
  void reserve(std::size_t batch) {
    if (batch <= capacity_) return;
    output_.resize(batch * out_features);
    output_grad_.resize(batch * out_features);
    state_.resize(std::max<std::size_t>(1, batch * root::internal));
    scratch_.resize(std::max<std::size_t>(1, batch * root::grad_scratch));
    capacity_.value = batch;
  }

  // ---- xtensor front door ----
  /// Inference: y = net(x) for x of shape [batch, in_features].
  template <class E>
  xt::xtensor<Scalar, 2> predict(const xt::xexpression<E>& expr) {
    const auto& x = expr.derived_cast();
    check_input(x);
    const std::size_t batch = x.shape()[0];
    // Contiguous row-major copy in this model's scalar type ([batch, C, H, W] is read as NCHW rows).
    xt::xtensor<Scalar, 2> input = xt::empty<Scalar>({batch, in_features});
    std::copy(x.begin(), x.end(), input.begin());
    const ctnn::mode saved = mode_;
    mode_ = mode::eval;
    forward(input.data(), batch);
    mode_ = saved;
    xt::xtensor<Scalar, 2> y = xt::empty<Scalar>({batch, out_features});
    std::copy(output_.data(), output_.data() + batch * out_features, y.data());
    detach_input();
    return y;
  }

  /// Checks a tensor's shape against input<N>: at compile time when its width is fixed,
  /// otherwise at run time with both widths in the message.
  template <class E>
  static void check_input(const E& x) {
    if constexpr (fixed_width<E>() != 0) {
      static_assert(expect_input_width<in_features, fixed_width<E>()>::value);
    }
    if (x.dimension() == 4 && input_shape.spatial()) {
      const auto& sh = x.shape();
      if (sh[1] != input_shape.c || sh[2] != input_shape.h || sh[3] != input_shape.w)
        throw error(fmt::format("ctnn::model: the input has shape [batch, {}, {}, {}] but the network's input<{}, {}, {}> "
                                "expects [batch, {}, {}, {}] (NCHW)",
                                sh[1], sh[2], sh[3], input_shape.c, input_shape.h, input_shape.w, input_shape.c,
                                input_shape.h, input_shape.w));
      return;
    }
    if (x.dimension() != 2)
      throw error(fmt::format("ctnn::model: expected a 2-D input [batch, {}]{}, got a {}-D tensor", in_features,
                              input_shape.spatial() ? fmt::format(" or 4-D [batch, {}, {}, {}]", input_shape.c,
                                                                  input_shape.h, input_shape.w)
                                                    : std::string(),
                              x.dimension()));
    if (x.shape()[1] != in_features)
      throw error(fmt::format("ctnn::model: the input has {} features per sample but the network's "
                              "input<{}> expects {}",
                              x.shape()[1], in_features, in_features));
  }

 private:
  template <class Shape>
  struct fixed_shape_width : std::integral_constant<std::size_t, 0> {};
  template <std::size_t B, std::size_t W>
  struct fixed_shape_width<xt::fixed_shape<B, W>> : std::integral_constant<std::size_t, W> {};
  /// The width of a tensor whose shape is fixed at compile time (xtensor_fixed), else 0.
  template <class E>
  static constexpr std::size_t fixed_width() {
    if constexpr (requires { typename E::shape_type; })
      return fixed_shape_width<typename E::shape_type>::value;
    else
      return 0;
  }

  run_context<Scalar> context() noexcept {
    return {workspace_, mode_, buffers_.data(), seed_, &random_draws_, fold_batch_norm_ && ctnn::fold_batch_norm};
  }

  static auto view(Scalar* arena, const slot_desc& s) {
    std::vector<std::size_t> shape = s.dims();
    return xt::adapt(arena + s.offset, s.size(), xt::no_ownership(), shape);
  }

  aligned_buffer<Scalar> params_, grads_, buffers_;
  ctnn::mode mode_ = mode::train;
  bool fold_batch_norm_ = true;  ///< see set_fold_batch_norm
  std::uint64_t seed_ = 0;          ///< the seed of the last (re)initialization
  std::uint64_t random_draws_ = 0;  ///< stochastic layers' draws since then (dropout masks)
  aligned_buffer<Scalar> output_, output_grad_, state_, scratch_;
  kernels::workspace workspace_;
  /// A value that a move leaves at its default in the source, so a moved-from model is a valid,
  /// empty one (its buffers are gone, so its capacity and last forward must go too).
  template <class T>
  struct reset_on_move {
    T value{};
    reset_on_move() = default;
    reset_on_move(T v) : value(v) {}
    reset_on_move(reset_on_move&& o) noexcept : value(std::exchange(o.value, T{})) {}
    reset_on_move& operator=(reset_on_move&& o) noexcept {
      value = std::exchange(o.value, T{});
      return *this;
    }
    operator T() const noexcept { return value; }
  };
  reset_on_move<std::size_t> capacity_;
  reset_on_move<const Scalar*> last_input_;
  reset_on_move<std::size_t> last_batch_;
};

}  // namespace ctnn
