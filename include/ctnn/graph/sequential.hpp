#pragma once
// sequential<input<N>, Layers...>: the layers applied in order. A network is one of these;
// parameters are named as PyTorch's nn.Sequential names the equivalent module ("0.weight").
namespace ctnn {

template <class... Layers>
struct sequential {};

}  // namespace ctnn
