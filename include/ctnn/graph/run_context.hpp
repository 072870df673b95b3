#pragma once
// run_context<S>: what every bound node's forward and backward receive besides its tensors:
// the kernels' packing workspace, the mode (training or evaluation), and the base of the node's
// own part of the model's buffer arena (running statistics; not parameters: no gradient, no
// optimizer update). A chain hands each child ctx.at(offset), so a node sees its buffers at 0.
#include <cstddef>
#include <cstdint>
#include <ctnn/kernels/workspace.hpp>

namespace ctnn {

/// Training: normalization layers use batch statistics and update their running statistics.
/// Evaluation: they use the running statistics and leave them as they are.
enum class mode { train, eval };

template <class S>
struct run_context {
  kernels::workspace& ws;
  mode phase = mode::train;
  S* buffers = nullptr;
  /// Randomness of stochastic layers (dropout): the model's seed, and its count of random
  /// draws so far; each draw takes the next count as its stream, in forward order, so the same
  /// seed gives the same masks whatever the thread count.
  std::uint64_t seed = 0;
  std::uint64_t* draws = nullptr;
  /// Evaluation-mode batch-norm folding allowed (ctnn::fold_batch_norm and the model's own setting).
  bool fold_batch_norm = true;

  bool training() const noexcept { return phase == mode::train; }
  /// The same context with the buffer base moved to a child's part of the arena.
  run_context at(std::size_t offset) const noexcept {
    return {ws, phase, buffers ? buffers + offset : nullptr, seed, draws, fold_batch_norm};
  }
};

}  // namespace ctnn
