#pragma once
// The Loss contract. A loss reads the network's output y (batch × width) and the targets, and
// returns the mean loss while writing dy = ∂L/∂y in the same pass (so softmax cross-entropy
// never forms the softmax Jacobian):
//     L::template target<S>                                   the target element type
//     L::value_and_grad(y, t, batch, width, dy) -> S          dy may be nullptr (value only)
//     L::check_targets(t, batch, width)                       ctnn::error on an invalid target
// A RowwiseLoss also has
//     L::gradient_rows(y, t, batch, width, r0, r1, dy)        rows [r0, r1) of the batch's dy
// with the bits value_and_grad writes there (each row's gradient depends on that row only), and
// value_and_grad(y, t, batch, width, nullptr) must return the same value as with dy, so a
// pipelined step (graph/pipeline_step.hpp) can take the gradient block by block and the value
// after (tests/laws/loss_rows.cpp checks both for the built-in losses).
#include <concepts>
#include <cstddef>

namespace ctnn {

template <class L>
concept Loss = requires(const float* y, float* dy, std::size_t n,
                        const typename L::template target<float>* t) {
  { L::value_and_grad(y, t, n, n, dy) } -> std::same_as<float>;
  L::check_targets(t, n, n);
};

template <class L>
concept RowwiseLoss = Loss<L> && requires(const float* y, float* dy, std::size_t n,
                                          const typename L::template target<float>* t) {
  L::gradient_rows(y, t, n, n, n, n, dy);
};

}  // namespace ctnn
