#pragma once
// residual<Layers...>: y = x + f(x), f being Layers in order. The block takes whatever precedes
// it as input; f's output width must equal that width (a compile error naming both otherwise).
// Its parameters are named "<i>.<j>.weight": the block is module i, its layers 0, 1, ... inside.
namespace ctnn {

template <class... Layers>
struct residual {
  static_assert(sizeof...(Layers) > 0, "ctnn::residual<>: a residual block needs at least one layer");
};

}  // namespace ctnn
