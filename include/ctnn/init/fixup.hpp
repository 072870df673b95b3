#pragma once
// Fixup initialization (Zhang, Dauphin & Ma 2019) for residual networks without normalization,
// applied to a model after its ordinary init:
//   ctnn::init::apply_fixup(model);
// Layers with a weight are the nodes that declare `has_weight` (weight_size elements at offset
// 0, the bias at bias_offset): dense layers, and convolutions, which declare the same.
//  - the last layer with a weight of every top-level residual branch: all its parameters (weight,
//    bias) set to 0, so each branch starts as f(x) = Act(0) (0 for relu, tanh, identity, ...)
//    and every block as the identity;
//  - the other layers with a weight of each branch: weight scaled by L^(−1/(2m−2)), L the number
//    of top-level residual branches, m the number of layers with a weight in that branch (no
//    scaling when m = 1);
//  - the classifier (the last top-level layer, when it has a weight): weight and bias set to 0,
//    so the logits start at exactly 0;
//  - Fixup's scalar multiplier and scalar biases (§3): the layers ctnn::scalar_scale (y = s·x)
//    and ctnn::scalar_bias (y = x + b), written into the branch by the user where the paper puts
//    them, e.g.
//      residual<scalar_bias, dense<W>, scalar_bias, relu, scalar_bias, dense<W>, scalar_scale, scalar_bias>
//    apply_fixup sets every multiplier in a branch to 1 and every scalar bias to 0 (their own
//    init, restated so the pass gives Fixup's start whatever came before).
// A block with a projection shortcut counts as a branch like the others; its shortcut keeps its
// own init (as in the paper). Layers nested deeper than one residual block, and weight-reparametrized dense nodes
// (weight_norm, spectral_norm: they declare no has_weight), are left as they are.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <type_traits>
#include <utility>

namespace ctnn::detail {
template <std::size_t Width, class Body>
struct residual_node;

template <std::size_t In, std::size_t Out, class Body, class Shortcut>
struct projected_residual_node;

/// A residual block, with an identity or a projection shortcut (its branch: body_type).
template <class Node>
struct is_residual_node : std::false_type {};
template <std::size_t Width, class Body>
struct is_residual_node<residual_node<Width, Body>> : std::true_type {};
template <std::size_t In, std::size_t Out, class Body, class Shortcut>
struct is_residual_node<projected_residual_node<In, Out, Body, Shortcut>> : std::true_type {};
}  // namespace ctnn::detail

namespace ctnn::init {

/// What apply_fixup did.
struct fixup_report {
  std::size_t branches = 0;        ///< L: top-level residual branches
  bool classifier_zeroed = false;  ///< the last top-level layer has a weight, now zero
  std::size_t scalar_scales = 0;   ///< scalar multipliers in the branches, set to 1
  std::size_t scalar_biases = 0;   ///< scalar biases in the branches, set to 0
};

namespace detail_fixup {
/// A layer with a weight (dense_node, convolution nodes): `has_weight`, `weight_size`.
template <class Node>
constexpr bool has_weight() {
  if constexpr (requires { Node::has_weight; }) return Node::has_weight;
  else return false;
}
template <class Node>
constexpr bool is_scalar_scale() {
  if constexpr (requires { Node::is_scalar_scale; }) return Node::is_scalar_scale;
  else return false;
}
template <class Node>
constexpr bool is_scalar_bias() {
  if constexpr (requires { Node::is_scalar_bias; }) return Node::is_scalar_bias;
  else return false;
}
template <class Chain, class F>
void for_each_child(F&& f) {
  [&]<std::size_t... K>(std::index_sequence<K...>) {
    (f(std::integral_constant<std::size_t, K>{}), ...);
  }(std::make_index_sequence<Chain::n>{});
}
template <class Chain, std::size_t... K>
constexpr std::size_t weight_count(std::index_sequence<K...>) {
  return (std::size_t{0} + ... + std::size_t{has_weight<typename Chain::template child<K>>()});
}
template <class Node, class S>
void zero_layer(S* p) {
  std::fill(p, p + Node::params, S(0));  // weight, bias and their padding
}
}  // namespace detail_fixup

template <class Model>
fixup_report apply_fixup(Model& m) {
  using root = typename Model::root;
  using S = typename Model::scalar;
  S* p = m.parameters().data();
  fixup_report r;
  detail_fixup::for_each_child<root>([&]<std::size_t K>(std::integral_constant<std::size_t, K>) {
    if constexpr (ctnn::detail::is_residual_node<typename root::template child<K>>::value) ++r.branches;
  });
  const double L = static_cast<double>(r.branches);
  detail_fixup::for_each_child<root>([&]<std::size_t K>(std::integral_constant<std::size_t, K>) {
    using node = typename root::template child<K>;
    if constexpr (ctnn::detail::is_residual_node<node>::value) {
      using body = typename node::body_type;
      constexpr std::size_t mlayers = detail_fixup::weight_count<body>(std::make_index_sequence<body::n>{});
      const double scale = mlayers > 1 ? std::pow(L, -1.0 / (2.0 * mlayers - 2.0)) : 1.0;
      S* bp = p + root::param_offset[K];
      std::size_t seen = 0;
      detail_fixup::for_each_child<body>([&]<std::size_t J>(std::integral_constant<std::size_t, J>) {
        using child = typename body::template child<J>;
        S* cp = bp + body::param_offset[J];
        if constexpr (detail_fixup::has_weight<child>()) {
          if (++seen == mlayers) {
            detail_fixup::zero_layer<child>(cp);
          } else {
            for (std::size_t i = 0; i < child::weight_size; ++i) cp[i] = static_cast<S>(cp[i] * scale);
          }
        } else if constexpr (detail_fixup::is_scalar_scale<child>()) {
          cp[0] = S(1);
          ++r.scalar_scales;
        } else if constexpr (detail_fixup::is_scalar_bias<child>()) {
          cp[0] = S(0);
          ++r.scalar_biases;
        }
      });
    }
  });
  using last = typename root::template child<root::n - 1>;
  if constexpr (detail_fixup::has_weight<last>()) {
    detail_fixup::zero_layer<last>(p + root::param_offset[root::n - 1]);
    r.classifier_zeroed = true;
  }
  return r;
}

}  // namespace ctnn::init
