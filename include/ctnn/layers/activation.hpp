#pragma once
// The Activation concept: an elementwise y = f(z) usable as a layer of its own or fused into
// the epilogue of the dense layer before it.
//
//   forward(z)       -> f(z)                       (T: float, double or an xsimd::batch of them)
//   derivative(s)    -> f'(z), where s is the saved value:
//                       the output y when derivative_from_output, else the pre-activation z.
// Saving y instead of z costs nothing (y is the next layer's input anyway); only activations
// that are not invertible from y (gelu, silu) make the dense kernel also store z.
#include <concepts>

namespace ctnn {

template <class A>
concept Activation = requires(float f, double d) {
  { A::derivative_from_output } -> std::convertible_to<bool>;
  { A::forward(f) } -> std::same_as<float>;
  { A::forward(d) } -> std::same_as<double>;
  { A::derivative(f) } -> std::same_as<float>;
  { A::torch_name } -> std::convertible_to<const char*>;
};

}  // namespace ctnn
