#pragma once
// From a network type to its bound form (the plan's root node):
//  1. repeat<K, Ls...> is written out in place, K copies; dense<Out, Init, Norm> with a norm
//     policy is written out as dense<Out, Init> followed by the norm layer Norm (as PyTorch's
//     Linear, BatchNorm1d: the norm takes the next module index);
//  2. each layer is bound to its input width, left to right; a dense layer followed by an
//     activation becomes one dense_node with that activation fused in;
//  3. the result is a chain_node; residual blocks recurse through the same two steps.
#include <concepts>
#include <cstddef>
#include <type_traits>
#include <ctnn/core/checks.hpp>
#include <ctnn/core/type_list.hpp>
#include <ctnn/graph/activation_node.hpp>
#include <ctnn/graph/chain_node.hpp>
#include <ctnn/graph/dense_node.hpp>
#include <ctnn/graph/flatten_node.hpp>
#include <ctnn/graph/input.hpp>
#include <ctnn/graph/repeat.hpp>
#include <ctnn/graph/residual.hpp>
#include <ctnn/graph/residual_node.hpp>
#include <ctnn/graph/sequential.hpp>
#include <ctnn/graph/with_defaults.hpp>
#include <ctnn/layers/activation.hpp>
#include <ctnn/layers/dense.hpp>
#include <ctnn/layers/flatten.hpp>
#include <ctnn/norm/concepts.hpp>
#include <ctnn/norm/none.hpp>

namespace ctnn {

/// A layer type outside the built-in families that binds itself: it declares
/// `static constexpr bool is_layer = true` and names its bound node
/// `template <std::size_t Width> struct node` (elementwise layers see the flat feature count).
template <class L>
concept SelfBindingLayer = requires {
  { L::is_layer } -> std::convertible_to<bool>;
  typename L::template node<1>;
} && L::is_layer && !NormPolicy<L>;

/// A type used as a layer that ctnn does not know (the type shown).
template <class NotALayer>
struct expect_layer {
  static_assert(sizeof(NotALayer) == 0,
                "ctnn: this type is not a layer (dense, an activation, a norm layer, residual, repeat, flatten)");
  static constexpr bool value = true;  // the assertion above is the error; no second one
};

}  // namespace ctnn

namespace ctnn::detail {

// ---- step 1: write out repeats ----
template <class L>
struct expand_layer {
  using type = type_list<L>;
};
template <class... Ls>
using expand_t = concat_t<typename expand_layer<Ls>::type...>;
template <std::size_t K, class... Ls>
struct expand_layer<repeat<K, Ls...>> {
  using type = typename repeat_list<expand_t<Ls...>, K>::type;
};
// A network-default tag left here (no with_defaults around the network) becomes the library
// default: init::net_default → kaiming_normal<>, norm::net_default → norm::none.
template <std::size_t Out, class Init0, class Norm0>
struct expand_layer<dense<Out, Init0, Norm0>> {
  static_assert(dense<Out, Init0, Norm0>::checked);  // instantiates the layer's own checks first
  using Init = resolve_init_t<Init0, init::library_default>;
  using Norm = resolve_norm_t<Norm0, norm::none>;
  static constexpr bool split = NormLayer<Norm> && !std::is_same_v<Norm, norm::none>;
  using type = std::conditional_t<split, type_list<dense<Out, Init, norm::none>, Norm>,
                                  type_list<dense<Out, Init, Norm>>>;
};

// ---- step 2: bind widths, fuse dense + activation ----
/// The bound node of a dense layer: its norm policy's own when it reparametrizes the weight.
template <std::size_t In, std::size_t Out, class Act, class Init, class Norm, std::size_t Modules>
struct dense_node_for {
  using type = dense_node<In, Out, Act, Init, Norm, Modules>;
};
template <std::size_t In, std::size_t Out, class Act, class Init, WeightReparametrization Norm, std::size_t Modules>
struct dense_node_for<In, Out, Act, Init, Norm, Modules> {
  using type = typename Norm::template dense_node<In, Out, Act, Init, Modules>;
};

template <std::size_t In, class List>
struct bind_list;

template <std::size_t In, class List>
struct bind_chain;
template <std::size_t In, class... Ls>
struct bind_chain<In, type_list<Ls...>> {
  template <class... Nodes>
  static auto make(type_list<Nodes...>) -> chain_node<In, Nodes...>;
  using type = decltype(make(typename bind_list<In, type_list<Ls...>>::type{}));
};

/// One layer on its own at input width In.
template <std::size_t In, class L>
struct bind_layer {
  static_assert(expect_layer<L>::value);
  using type = flatten_node<In>;  // keeps going quietly so the message above stays the only error
};
template <std::size_t In, std::size_t Out, class Init, class Norm>
struct bind_layer<In, dense<Out, Init, Norm>> {
  static_assert(dense<Out, Init, Norm>::checked);  // instantiates the layer's own checks first
  using type = typename dense_node_for<In, Out, identity, Init, Norm, 1>::type;
};
template <std::size_t In, Activation A>
struct bind_layer<In, A> {
  using type = activation_node<In, A>;
};
template <std::size_t In, NormLayer N>
struct bind_layer<In, N> {
  using type = typename N::template node<In>;
};
/// Any other layer that names its bound node, `template <std::size_t Width> struct node`
/// (the interface of graph/dense_node.hpp), binds itself (see ctnn::SelfBindingLayer).
template <std::size_t In, SelfBindingLayer L>
struct bind_layer<In, L> {
  using type = typename L::template node<In>;
};
template <std::size_t In>
struct bind_layer<In, flatten> {
  using type = flatten_node<In>;
};
template <std::size_t In, class... Ls>
struct bind_layer<In, residual<Ls...>> {
  using body = typename bind_chain<In, expand_t<Ls...>>::type;
  static_assert(expect_residual_width<In, body::out>::value);
  using type = residual_node<In, body>;
};

template <std::size_t In>
struct bind_list<In, type_list<>> {
  using type = type_list<>;
};
template <std::size_t In, class L, class... Rest>
struct bind_list<In, type_list<L, Rest...>> {
  using node = typename bind_layer<In, L>::type;
  using type = concat_t<type_list<node>, typename bind_list<node::out, type_list<Rest...>>::type>;
};
template <std::size_t In, std::size_t Out, class Init, class Norm, Activation A, class... Rest>
struct bind_list<In, type_list<dense<Out, Init, Norm>, A, Rest...>> {
  static_assert(dense<Out, Init, Norm>::checked);  // instantiates the layer's own checks first
  using node = typename dense_node_for<In, Out, A, Init, Norm, 2>::type;
  using type = concat_t<type_list<node>, typename bind_list<Out, type_list<Rest...>>::type>;
};

// ---- the network ----
template <class Net>
struct network_traits {
  static_assert(sizeof(Net) == 0, "ctnn::model<Net>: Net must be ctnn::sequential<ctnn::input<N>, layers...>");
  // A stand-in network so that the assertion above stays the only error.
  static constexpr std::size_t in = 1;
  using root = chain_node<1, flatten_node<1>>;
};
template <class First, class... Ls>
struct network_traits<sequential<First, Ls...>> {
  static_assert(expect_input_first<First>::value);
  static constexpr std::size_t in = 1;
  using root = chain_node<1, flatten_node<1>>;
};
template <std::size_t N, class... Ls>
struct network_traits<sequential<input<N>, Ls...>> {
  static_assert(sizeof...(Ls) > 0, "ctnn::sequential<input<N>>: a network needs at least one layer after its input");
  static constexpr std::size_t in = N;
  using root = typename bind_chain<N, expand_t<Ls...>>::type;
};

/// with_defaults<Net, Init, Norm>: Net with its dense layers' unspecified policies filled in.
template <class Net, class Init, class Norm>
struct network_traits<with_defaults<Net, Init, Norm>> : network_traits<apply_defaults_t<Net, Init, Norm>> {};

}  // namespace ctnn::detail
