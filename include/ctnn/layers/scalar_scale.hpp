#pragma once
// scalar_scale: y = s·x, one learnable scalar s (init 1) multiplying every feature. Fixup's
// scalar multiplier (Zhang, Dauphin & Ma 2019, §3), after the last layer of a residual branch
// (see layers/scalar_bias.hpp for the whole block).
// Its parameter is named "<i>.scale", shape [1], as PyTorch names a custom module's
// `self.scale = nn.Parameter(torch.ones(1))` (the name of Fixup's reference implementation).
// A layer of its own (it takes a module index).
#include <cstddef>
#include <ctnn/graph/scalar_scale_node.hpp>

namespace ctnn {

struct scalar_scale {
  static constexpr bool is_layer = true;
  template <std::size_t Width>
  using node = detail::scalar_scale_node<Width>;
};

}  // namespace ctnn
