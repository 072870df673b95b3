#pragma once
// From a network type to its bound form (the plan's root node):
//  1. repeat<K, Ls...> is written out in place, K copies; dense<Out, Init, Norm> and
//     conv2d<..., Init, Norm> with a norm policy are written out as the layer followed by the norm
//     layer Norm (as PyTorch's Linear, BatchNorm1d: the norm takes the next module index);
//  2. each layer is bound to its input shape (graph/feature_shape.hpp), left to right; a dense or
//     conv2d layer followed by an activation becomes one node with that activation fused in;
//  3. the result is a chain_node; residual blocks recurse through the same two steps.
// Every shape mistake stops at a check class whose arguments are the numbers
// (core/checks.hpp, layers/conv2d.hpp); a stand-in node then keeps binding going quietly so
// that check stays the only error.
#include <concepts>
#include <cstddef>
#include <type_traits>
#include <ctnn/core/checks.hpp>
#include <ctnn/core/type_list.hpp>
#include <ctnn/graph/activation_node.hpp>
#include <ctnn/graph/chain_node.hpp>
#include <ctnn/graph/conv2d_node.hpp>
#include <ctnn/graph/dense_node.hpp>
#include <ctnn/graph/dropout_node.hpp>
#include <ctnn/graph/feature_shape.hpp>
#include <ctnn/graph/flatten_node.hpp>
#include <ctnn/graph/input.hpp>
#include <ctnn/graph/layout_nodes.hpp>
#include <ctnn/graph/pool2d_node.hpp>
#include <ctnn/graph/projected_residual_node.hpp>
#include <ctnn/graph/repeat.hpp>
#include <ctnn/graph/residual.hpp>
#include <ctnn/graph/residual_node.hpp>
#include <ctnn/graph/sequential.hpp>
#include <ctnn/graph/spatial_node.hpp>
#include <ctnn/graph/with_defaults.hpp>
#include <ctnn/layers/activation.hpp>
#include <ctnn/layers/avg_pool2d.hpp>
#include <ctnn/layers/conv2d.hpp>
#include <ctnn/layers/dense.hpp>
#include <ctnn/layers/dropout.hpp>
#include <ctnn/layers/flatten.hpp>
#include <ctnn/layers/global_avg_pool.hpp>
#include <ctnn/layers/max_pool2d.hpp>
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
                "ctnn: this type is not a layer (dense, conv2d, a pooling layer, an activation, a norm layer, "
                "dropout, residual, repeat, flatten)");
  static constexpr bool value = true;  // the assertion above is the error; no second one
};

/// A shortcut anywhere but first in a residual block (the type shown).
template <class MisplacedShortcut>
struct expect_shortcut_first {
  static_assert(sizeof(MisplacedShortcut) == 0,
                "ctnn::shortcut<...>: a shortcut is the first argument of a residual block, "
                "residual<shortcut<Ps...>, Layers...>, and nowhere else");
  static constexpr bool value = true;
};

template <class L>
inline constexpr bool is_shortcut = false;
template <class... Ps>
inline constexpr bool is_shortcut<shortcut<Ps...>> = true;

/// residual<...> over images: the block's output shape must equal its input shape.
template <std::size_t InC, std::size_t InH, std::size_t InW, std::size_t OutC, std::size_t OutH, std::size_t OutW>
struct expect_residual_shape {
  static_assert(InC == OutC && InH == OutH && InW == OutW,
                "ctnn::residual: the block changes the shape of its input (arguments: input C, H, W, output C, H, "
                "W); give it a projection: residual<shortcut<conv2d<C, 1, stride>>, ...>");
  static constexpr bool value = true;
};

/// residual<shortcut<...>, ...>: the shortcut's output shape must equal the body's.
template <std::size_t BodyC, std::size_t BodyH, std::size_t BodyW, std::size_t CutC, std::size_t CutH, std::size_t CutW>
struct expect_shortcut_shape {
  static_assert(BodyC == CutC && BodyH == CutH && BodyW == CutW,
                "ctnn::residual<shortcut<...>, ...>: the shortcut's output shape differs from the block's "
                "(arguments: block C, H, W, shortcut C, H, W)");
  static constexpr bool value = true;
};

}  // namespace ctnn

namespace ctnn::detail {

/// The layout conversion a network with an NCHW multi-channel image input starts with.
struct to_channels_last {};

// ---- step 1: write out repeats, split norm policies ----
template <class L>
struct expand_layer {
  using type = type_list<L>;
};
template <class... Ls>
using expand_t = concat_t<typename expand_layer<Ls>::type...>;
template <std::size_t K, class... Ls>
struct expand_layer<repeat<K, Ls...>> {
  // repeat is only pattern-matched here, so its own checks are instantiated explicitly (repeat<0,
  // dense<8>> compiled, the layer silently gone).
  static_assert(sizeof(repeat<K, Ls...>) > 0);
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
  // dense<0> stays as written (bind_dense stands it in): resolved, it would be another type whose
  // static_assert fires a second time.
  using type = std::conditional_t<Out == 0, type_list<dense<Out, Init0, Norm0>>,
                                  std::conditional_t<split, type_list<dense<Out, Init, norm::none>, Norm>,
                                                     type_list<dense<Out, Init, Norm>>>>;
};
template <std::size_t Out, std::size_t K, std::size_t S, std::size_t P, class Init0, class Norm0>
struct expand_layer<conv2d<Out, K, S, P, Init0, Norm0>> {
  static_assert(conv2d<Out, K, S, P, Init0, Norm0>::checked);
  using Init = resolve_init_t<Init0, init::library_default>;
  using Norm = resolve_norm_t<Norm0, norm::none>;
  static_assert(!WeightReparametrization<Norm>,
                "ctnn::conv2d<..., Norm>: weight_norm and spectral_norm reparametrize dense layers only (for now)");
  static constexpr bool split = NormLayer<Norm> && !std::is_same_v<Norm, norm::none>;
  // A zero size stays as written, as dense<0> above.
  using type = std::conditional_t<Out == 0 || K == 0 || S == 0, type_list<conv2d<Out, K, S, P, Init0, Norm0>>,
                                  std::conditional_t<split, type_list<conv2d<Out, K, S, P, Init, norm::none>, Norm>,
                                                     type_list<conv2d<Out, K, S, P, Init, norm::none>>>>;
};

// ---- step 2: bind shapes, fuse dense/conv + activation ----
/// The bound node of a dense layer: its norm policy's own when it reparametrizes the weight.
template <std::size_t In, std::size_t Out, class Act, class Init, class Norm, std::size_t Modules>
struct dense_node_for {
  using type = dense_node<In, Out, Act, Init, Norm, Modules>;
};
template <std::size_t In, std::size_t Out, class Act, class Init, WeightReparametrization Norm, std::size_t Modules>
struct dense_node_for<In, Out, Act, Init, Norm, Modules> {
  using type = typename Norm::template dense_node<In, Out, Act, Init, Modules>;
};

template <feature_shape In, class List>
struct bind_list;

/// A list of layers bound from shape In: a chain_node, and the shape it ends with.
template <feature_shape In, class List>
struct bind_chain {
  using bound = bind_list<In, List>;
  template <class... Nodes>
  static auto make(type_list<Nodes...>) -> chain_node<In.size(), Nodes...>;
  using type = decltype(make(typename bound::type{}));
  static constexpr feature_shape out_shape = bound::out_shape;
};

/// The bound nodes of a network whose output has shape Out, with a last node that turns a
/// multi-channel image output back to NCHW.
/// (Image is passed in: as a default argument computed from Out, g++ 12 crashed.)
template <class Nodes, feature_shape Out, bool Image>
struct with_output_layout {
  using type = Nodes;
};
template <class... Nodes, feature_shape Out>
struct with_output_layout<type_list<Nodes...>, Out, true> {
  using type = type_list<Nodes..., nhwc_to_nchw_output_node<Out.c, Out.h, Out.w>>;
};

/// The whole network's chain: bind_chain, ending NCHW when the output is an image (so that
/// predict, the loss and its targets see PyTorch's order). Written so that bind_list is first
/// needed by `type`, as in bind_chain: a member in between lengthened every shape error's trace.
template <feature_shape In, class List>
struct bind_network {
  using bound = bind_list<In, List>;
  template <class... Nodes>
  static auto make(type_list<Nodes...>) -> chain_node<In.size(), Nodes...>;
  using type = decltype(make(typename with_output_layout<typename bound::type, bound::out_shape,
                                                        (bound::out_shape.spatial() && bound::out_shape.c > 1)>::type{}));
  static constexpr feature_shape out_shape = bound::out_shape;
};

/// One layer on its own at input shape In: its node and output shape.
template <feature_shape In, class L>
struct bind_layer {
  static_assert(expect_layer<L>::value);
  using type = flatten_node<In.size()>;  // keeps going quietly so the message above stays the only error
  static constexpr feature_shape out_shape = In;
};

/// dense after an image is an error (a flatten is missing); the stand-in keeps the width.
template <feature_shape In, std::size_t Out, class Init, class Norm, class Act, std::size_t Modules>
struct bind_dense {
  static_assert(dense<Out, Init, Norm>::checked);  // instantiates the layer's own checks first
  static consteval bool check() {
    if constexpr (Out == 0) return false;  // dense<0>'s own error
    else if constexpr (In.spatial()) return !expect_flat_input<In.c, In.h, In.w>::value;
    else return true;
  }
  static constexpr bool ok = check();
  using type = std::conditional_t<ok, typename dense_node_for<In.size(), Out, Act, Init, Norm, Modules>::type,
                                  flatten_node<In.size()>>;
  static constexpr feature_shape out_shape = ok ? feature_shape{Out, 1, 1} : In;
};
template <feature_shape In, std::size_t Out, class Init, class Norm>
struct bind_layer<In, dense<Out, Init, Norm>> : bind_dense<In, Out, Init, Norm, identity, 1> {};

/// The shape checks of a K×K window with stride S and padding P over an image (conv and pooling):
/// the first that fails is the only one instantiated. K or S of 0 is the layer type's own error.
template <feature_shape In, std::size_t K, std::size_t S, std::size_t P>
struct window_checks {
  static consteval bool check() {
    if constexpr (K == 0 || S == 0) {
      return false;  // the layer's own static_assert has said so; no window geometry (a division by S)
    } else if constexpr (!In.spatial()) {
      static_assert(expect_image_input<In.size()>::value);
      return false;
    } else if constexpr (K > In.h + 2 * P || K > In.w + 2 * P) {
      static_assert(expect_kernel_fits<In.h, K, P>::value && expect_kernel_fits<In.w, K, P>::value);
      return false;
    } else {
      static_assert(expect_stride_fits<In.h, K, S, P>::value && expect_stride_fits<In.w, K, S, P>::value);
      return expect_stride_fits<In.h, K, S, P>::fits && expect_stride_fits<In.w, K, S, P>::fits;
    }
  }
  static constexpr bool ok = check();
};

template <feature_shape In, std::size_t Out, std::size_t K, std::size_t S, std::size_t P, class Init, class Act,
          std::size_t Modules>
struct bind_conv {
  static constexpr bool ok = window_checks<In, K, S, P>::ok && Out > 0;
  using node = conv2d_node<In, Out, K, S, P, Act, Init, Modules>;
  using type = std::conditional_t<ok, node, flatten_node<In.size()>>;
  static constexpr feature_shape out_shape = [] {
    if constexpr (ok) return node::out_shape;
    else return In;
  }();
};
template <feature_shape In, std::size_t Out, std::size_t K, std::size_t S, std::size_t P, class Init>
struct bind_layer<In, conv2d<Out, K, S, P, Init, norm::none>> : bind_conv<In, Out, K, S, P, Init, identity, 1> {};
/// A conv2d left as written by expand_layer (a zero size, its own error): a stand-in that keeps the shape.
template <feature_shape In, std::size_t Out, std::size_t K, std::size_t S, std::size_t P, class Init, class Norm>
struct bind_layer<In, conv2d<Out, K, S, P, Init, Norm>> {
  using type = flatten_node<In.size()>;
  static constexpr feature_shape out_shape = In;
};

template <pool_kind Kind, feature_shape In, std::size_t K, std::size_t S, std::size_t P>
struct bind_pool {
  static constexpr bool ok = window_checks<In, K, S, P>::ok;
  using node = pool2d_node<Kind, In, K, S, P>;
  using type = std::conditional_t<ok, node, flatten_node<In.size()>>;
  static constexpr feature_shape out_shape = [] {
    if constexpr (ok) return node::out_shape;
    else return In;
  }();
};
template <feature_shape In, std::size_t K, std::size_t S, std::size_t P>
struct bind_layer<In, max_pool2d<K, S, P>> : bind_pool<pool_kind::max, In, K, S, P> {};
template <feature_shape In, std::size_t K, std::size_t S, std::size_t P>
struct bind_layer<In, avg_pool2d<K, S, P>> : bind_pool<pool_kind::average, In, K, S, P> {};

template <feature_shape In>
struct bind_layer<In, global_avg_pool> {
  static consteval bool check() {
    if constexpr (In.spatial()) return true;
    else return !expect_image_input<In.size()>::value;
  }
  static constexpr bool ok = check();
  using type = std::conditional_t<ok, global_avg_pool_node<In>, flatten_node<In.size()>>;
  static constexpr feature_shape out_shape = ok ? feature_shape{In.c, 1, 1} : In;
};

template <feature_shape In, std::size_t Rate>
struct bind_layer<In, dropout<Rate>> {
  using type = dropout_node<In.size(), Rate>;
  static constexpr feature_shape out_shape = In;
};

template <feature_shape In, Activation A>
struct bind_layer<In, A> {
  using type = activation_node<In.size(), A>;
  static constexpr feature_shape out_shape = In;
};
/// A norm layer over an image: its own image node when it has one (group_norm, instance_norm:
/// groups span pixels), else its per-feature node applied at every pixel (batch_norm is then
/// BatchNorm2d; layer_norm and rms_norm normalize each pixel's channels).
template <feature_shape In, class N>
struct norm_image_node {
  using type = spatial_node<typename N::template node<In.c>, In.pixels()>;
};
template <feature_shape In, class N>
  requires requires { typename N::template image_node<1, 1>; }
struct norm_image_node<In, N> {
  using type = typename N::template image_node<In.c, In.pixels()>;
};
template <feature_shape In, NormLayer N>
struct bind_layer<In, N> {
  using type = typename std::conditional_t<In.spatial(), norm_image_node<In, N>,
                                           std::type_identity<typename N::template node<In.size()>>>::type;
  static constexpr feature_shape out_shape = In;
};
/// Any other layer that names its bound node, `template <std::size_t Width> struct node`
/// (the interface of graph/dense_node.hpp), binds itself (see ctnn::SelfBindingLayer).
template <feature_shape In, SelfBindingLayer L>
struct bind_layer<In, L> {
  using type = typename L::template node<In.size()>;
  static constexpr feature_shape out_shape = In;
};
template <feature_shape In>
struct bind_layer<In, flatten> {
  // A multi-channel image is stored channels-last: flatten puts it in PyTorch's (C, H, W) order.
  using type = std::conditional_t<(In.spatial() && In.c > 1), nhwc_to_nchw_node<In.c, In.h, In.w>, flatten_node<In.size()>>;
  static constexpr feature_shape out_shape{In.size(), 1, 1};
};
template <feature_shape In>
struct bind_layer<In, to_channels_last> {
  using type = nchw_to_nhwc_node<In.c, In.h, In.w>;
  static constexpr feature_shape out_shape = In;
};
template <feature_shape In, class... Ps>
struct bind_layer<In, shortcut<Ps...>> {
  static_assert(expect_shortcut_first<shortcut<Ps...>>::value);
  using type = flatten_node<In.size()>;
  static constexpr feature_shape out_shape = In;
};
template <feature_shape In, class... None>
  requires(sizeof...(None) == 0)
struct bind_layer<In, residual<None...>> {
  static_assert(sizeof(residual<None...>) > 0);  // its own error (no layers), and no empty chain after it
  using type = flatten_node<In.size()>;
  static constexpr feature_shape out_shape = In;
};
template <feature_shape In, class... Ls>
struct bind_layer<In, residual<Ls...>> {
  using body = bind_chain<In, expand_t<Ls...>>;
  static constexpr feature_shape Out = body::out_shape;
  static consteval bool check() {
    if constexpr ((is_shortcut<Ls> || ...)) return true;  // misplaced: its own error, not the shapes it left
    else if constexpr (In.spatial() || Out.spatial()) return expect_residual_shape<In.c, In.h, In.w, Out.c, Out.h, Out.w>::value;
    else return expect_residual_width<In.size(), Out.size()>::value;
  }
  static_assert(check());
  using type = residual_node<In.size(), typename body::type>;
  static constexpr feature_shape out_shape = In;
};
template <feature_shape In, class... Ps, class... Ls>
struct bind_layer<In, residual<shortcut<Ps...>, Ls...>> {
  using body = bind_chain<In, expand_t<Ls...>>;
  using cut = bind_chain<In, expand_t<Ps...>>;
  static constexpr feature_shape Out = body::out_shape, Cut = cut::out_shape;
  static_assert(expect_shortcut_shape<Out.c, Out.h, Out.w, Cut.c, Cut.h, Cut.w>::value);
  using type = projected_residual_node<In.size(), Out.size(), typename body::type, typename cut::type>;
  static constexpr feature_shape out_shape = Out;
};

template <feature_shape In>
struct bind_list<In, type_list<>> {
  using type = type_list<>;
  static constexpr feature_shape out_shape = In;
};
template <feature_shape In, class L, class... Rest>
struct bind_list<In, type_list<L, Rest...>> {
  using head = bind_layer<In, L>;
  using rest = bind_list<head::out_shape, type_list<Rest...>>;
  using type = concat_t<type_list<typename head::type>, typename rest::type>;
  static constexpr feature_shape out_shape = rest::out_shape;
};
template <feature_shape In, std::size_t Out, class Init, class Norm, Activation A, class... Rest>
struct bind_list<In, type_list<dense<Out, Init, Norm>, A, Rest...>> {
  using head = bind_dense<In, Out, Init, Norm, A, 2>;
  using rest = bind_list<head::out_shape, type_list<Rest...>>;
  using type = concat_t<type_list<typename head::type>, typename rest::type>;
  static constexpr feature_shape out_shape = rest::out_shape;
};
template <feature_shape In, std::size_t Out, std::size_t K, std::size_t S, std::size_t P, class Init, Activation A,
          class... Rest>
struct bind_list<In, type_list<conv2d<Out, K, S, P, Init, norm::none>, A, Rest...>> {
  using head = bind_conv<In, Out, K, S, P, Init, A, 2>;
  using rest = bind_list<head::out_shape, type_list<Rest...>>;
  using type = concat_t<type_list<typename head::type>, typename rest::type>;
  static constexpr feature_shape out_shape = rest::out_shape;
};

// ---- the network ----
/// The network's layers, written out, after the NCHW → channels-last conversion when Convert.
template <bool Convert, class... Ls>
struct network_layers {
  using type = expand_t<Ls...>;
};
template <class... Ls>
struct network_layers<true, Ls...> {
  using type = expand_t<to_channels_last, Ls...>;
};

template <class Net>
struct network_traits {
  static_assert(sizeof(Net) == 0, "ctnn::model<Net>: Net must be ctnn::sequential<ctnn::input<N>, layers...>");
  // A stand-in network so that the assertion above stays the only error.
  static constexpr std::size_t in = 1;
  static constexpr feature_shape in_shape{1, 1, 1}, out_shape{1, 1, 1};
  using root = chain_node<1, flatten_node<1>>;
};
template <class First, class... Ls>
struct network_traits<sequential<First, Ls...>> {
  static_assert(expect_input_first<First>::value);
  static constexpr std::size_t in = 1;
  static constexpr feature_shape in_shape{1, 1, 1}, out_shape{1, 1, 1};
  using root = chain_node<1, flatten_node<1>>;
};
template <std::size_t C, std::size_t H, std::size_t W, class... Ls>
struct network_traits<sequential<input<C, H, W>, Ls...>> {
  static_assert(sizeof...(Ls) > 0, "ctnn::sequential<input<N>>: a network needs at least one layer after its input");
  // input is only pattern-matched here: its own check of the sizes is instantiated explicitly
  // (input<0> compiled into a network of empty weights). A zero size binds a stand-in network, so
  // that check stays the only error.
  static_assert(sizeof(input<C, H, W>) > 0);
  static constexpr bool sized = C > 0 && H > 0 && W > 0;
  static constexpr feature_shape in_shape = sized ? feature_shape{C, H, W} : feature_shape{1, 1, 1};
  static constexpr std::size_t in = in_shape.size();
  // NCHW multi-channel images are turned channels-last by the first node (and back by the last
  // when the output is one: bind_network).
  using layers = typename network_layers<(in_shape.spatial() && C > 1), Ls...>::type;
  using bound = bind_network<in_shape, std::conditional_t<sized, layers, type_list<flatten>>>;
  using root = typename bound::type;
  static constexpr feature_shape out_shape = bound::out_shape;
};

/// with_defaults<Net, Init, Norm>: Net with its dense and conv layers' unspecified policies filled in.
template <class Net, class Init, class Norm>
struct network_traits<with_defaults<Net, Init, Norm>> : network_traits<apply_defaults_t<Net, Init, Norm>> {};

}  // namespace ctnn::detail
