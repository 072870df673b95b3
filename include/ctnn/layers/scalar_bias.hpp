#pragma once
// scalar_bias: y = x + b, one learnable scalar b (init 0) added to every feature. Fixup's scalar
// biases (Zhang, Dauphin & Ma 2019, §3), which go before each linear/convolution layer and each
// activation of a residual branch:
//   residual<scalar_bias, dense<W>, scalar_bias, relu, scalar_bias, dense<W>, scalar_scale, scalar_bias>
// Its parameter is named "<i>.bias", shape [1], as PyTorch names a custom module's
// `self.bias = nn.Parameter(torch.zeros(1))`. A layer of its own (it takes a module index).
#include <cstddef>
#include <ctnn/graph/scalar_bias_node.hpp>

namespace ctnn {

struct scalar_bias {
  static constexpr bool is_layer = true;
  template <std::size_t Width>
  using node = detail::scalar_bias_node<Width>;
};

}  // namespace ctnn
