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
#include <type_traits>

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

namespace ctnn::loss {

/// Integer class labels: any integer type but bool and the character types.
template <class T>
inline constexpr bool is_label_integer =
    std::is_integral_v<T> && !std::is_same_v<T, bool> && !std::is_same_v<T, char> && !std::is_same_v<T, wchar_t> &&
    !std::is_same_v<T, char8_t> && !std::is_same_v<T, char16_t> && !std::is_same_v<T, char32_t>;

// The checks fit, value_and_grad, trainer and evaluate make where a loss meets targets and a
// network: each mismatch is one static_assert, whose instantiation line names the types or numbers.
template <class T>
struct expect_integer_class_labels {
  static constexpr bool value = is_label_integer<T>;
  static_assert(value, "ctnn: this loss (softmax_cross_entropy) takes integer class labels (y of int32 or int64, as "
                       "data::labeled_dataset holds); the targets given are not integers (or are bool or char)");
};
template <class T>
struct expect_real_targets {
  static constexpr bool value = std::is_floating_point_v<T>;
  static_assert(value, "ctnn: this loss (mse) takes real-valued targets (y of float or double); the targets given are "
                       "integers (class labels go with loss::softmax_cross_entropy)");
};
template <std::size_t Min, std::size_t Out>
struct expect_outputs {
  static constexpr bool value = Out >= Min;
  static_assert(value, "ctnn: the network has fewer outputs than the loss needs (softmax_cross_entropy: one per class, "
                       "at least 2; with one output the softmax is always 1, so the loss and its gradient are 0)");
};

/// Whether targets of type T fit loss L (integer labels for a loss whose target type is an
/// integer, real values otherwise); false after a static_assert that says why.
template <class L, class T>
inline constexpr bool targets_fit =
    std::conditional_t<std::is_integral_v<typename L::template target<float>>, expect_integer_class_labels<T>,
                       expect_real_targets<T>>::value;

/// Whether a network of Out outputs fits loss L (L::min_outputs, where L has one).
template <class L, std::size_t Out>
constexpr bool outputs_fit() {
  if constexpr (requires { L::min_outputs; }) return expect_outputs<L::min_outputs, Out>::value;
  else return true;
}

}  // namespace ctnn::loss
