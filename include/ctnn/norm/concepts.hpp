#pragma once
// The NormPolicy contract: a type naming how a layer's output is normalized.
// A norm policy declares `static constexpr bool is_norm_policy = true` and, when it has
// parameters or running statistics, describes them to the plan.
//
// NormLayer: a norm policy that is also a layer of its own: it names its bound node,
// `template <std::size_t Width> struct node` (the interface of graph/dense_node.hpp: slots,
// buffer slots, forward, backward). dense<Out, Init, Norm> is dense<Out, Init> followed by Norm.
#include <concepts>

namespace ctnn {

template <class P>
concept NormPolicy = requires {
  { P::is_norm_policy } -> std::convertible_to<bool>;
} && P::is_norm_policy;

/// WeightReparametrization: a norm policy that replaces dense's weight by a function of its own
/// parameters (weight_norm); it names the whole bound dense node,
/// `template <In, Out, Act, Init, Modules> struct dense_node`.
template <class P>
concept WeightReparametrization =
    NormPolicy<P> && requires { typename P::template dense_node<1, 1, void, void, 1>; };

template <class P>
concept NormLayer = NormPolicy<P> && requires { typename P::template node<1>; };

}  // namespace ctnn
