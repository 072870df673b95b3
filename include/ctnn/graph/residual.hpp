#pragma once
// residual<Layers...>: y = x + f(x), f being Layers in order. The block takes whatever precedes
// it as input; f's output shape must equal its input shape (a compile error naming both
// otherwise).
// residual<shortcut<Ps...>, Layers...>: y = s(x) + f(x), the shortcut s (Ps in order: a
// projection such as conv2d<128, 1, 2>, batch_norm<>) taking the same input; f's and s's output
// shapes must be equal.
// Parameters are named "<i>.<j>.weight": the block is module i, its layers 0, 1, ... inside, the
// shortcut's layers numbered after them.
namespace ctnn {

template <class... Layers>
struct residual {
  static_assert(sizeof...(Layers) > 0, "ctnn::residual<>: a residual block needs at least one layer");
};

/// The projection shortcut of a residual block: residual<shortcut<Ps...>, Layers...>.
template <class... Layers>
struct shortcut {
  static_assert(sizeof...(Layers) > 0, "ctnn::shortcut<>: a shortcut needs at least one layer");
};

}  // namespace ctnn
