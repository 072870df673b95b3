#pragma once
// Compile-time checks with the numbers in the diagnostic. Each check is a tiny class template
// whose arguments are the sizes, so g++ prints "In instantiation of
// 'struct ctnn::expect_input_width<784, 748>'" right above the static_assert's message.
#include <cstddef>

namespace ctnn {

/// A compile-time-sized tensor fed to a model must be as wide as the network's input<N>.
template <std::size_t NetworkInput, std::size_t TensorWidth>
struct expect_input_width {
  static_assert(NetworkInput == TensorWidth,
                "ctnn: the tensor's width differs from the network's input<N> (arguments: N, width)");
  static constexpr bool value = true;
};

/// residual<...>: the block's output width must equal its input width (y = x + f(x)).
template <std::size_t BlockInput, std::size_t BlockOutput>
struct expect_residual_width {
  static_assert(BlockInput == BlockOutput,
                "ctnn::residual: the block's output width differs from its input width "
                "(arguments: input, output)");
  static constexpr bool value = true;
};

/// A network must be ctnn::sequential<ctnn::input<N>, layers...>.
template <class FirstLayer>
struct expect_input_first {
  static_assert(sizeof(FirstLayer) == 0,
                "ctnn::model: a network must start with ctnn::input<N>; its first layer is the type shown");
  static constexpr bool value = true;  // the assertion above is the error; no second one
};


}  // namespace ctnn
