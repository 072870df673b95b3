#pragma once
// Fixup initialization (Zhang, Dauphin & Ma 2019) for residual networks without normalization,
// applied to a model after its ordinary init:
//   ctnn::init::apply_fixup(model);
//  - the last dense layer of every top-level residual branch: weight and bias set to 0, so each
//    branch starts as f(x) = Act(0) (0 for relu, tanh, identity, ...) and every block as the
//    identity;
//  - the other dense layers of each branch: weight scaled by L^(−1/(2m−2)), L the number of
//    top-level residual branches, m the number of dense layers in that branch (no scaling when
//    m = 1);
//  - the classifier (the last top-level layer, when it is a dense layer): weight and bias set to 0,
//    so the logits start at exactly 0.
// Not included: Fixup's scalar multiplier and scalar biases (they need parameters of their own).
// Dense layers nested deeper than one residual block, and weight-reparametrized dense nodes, are
// left as they are.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <type_traits>
#include <utility>
#include <ctnn/init/lsuv.hpp>  // detail::is_plain_dense_node

namespace ctnn::detail {
template <std::size_t Width, class Body>
struct residual_node;

template <class Node>
struct is_residual_node : std::false_type {};
template <std::size_t Width, class Body>
struct is_residual_node<residual_node<Width, Body>> : std::true_type {};
}  // namespace ctnn::detail

namespace ctnn::init {

/// What apply_fixup did.
struct fixup_report {
  std::size_t branches = 0;        ///< L: top-level residual branches
  bool classifier_zeroed = false;  ///< the last top-level layer is a dense layer, now zero
};

namespace detail_fixup {
template <class Chain, class F>
void for_each_child(F&& f) {
  [&]<std::size_t... K>(std::index_sequence<K...>) {
    (f(std::integral_constant<std::size_t, K>{}), ...);
  }(std::make_index_sequence<Chain::n>{});
}
template <class Chain, std::size_t... K>
constexpr std::size_t dense_count(std::index_sequence<K...>) {
  return (std::size_t{0} + ... +
          std::size_t{ctnn::detail::is_plain_dense_node<typename Chain::template child<K>>::value});
}
template <class Node, class S>
void zero_dense(S* p) {
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
      constexpr std::size_t mlayers = detail_fixup::dense_count<body>(std::make_index_sequence<body::n>{});
      const double scale = mlayers > 1 ? std::pow(L, -1.0 / (2.0 * mlayers - 2.0)) : 1.0;
      S* bp = p + root::param_offset[K];
      std::size_t seen = 0;
      detail_fixup::for_each_child<body>([&]<std::size_t J>(std::integral_constant<std::size_t, J>) {
        using child = typename body::template child<J>;
        if constexpr (ctnn::detail::is_plain_dense_node<child>::value) {
          S* cp = bp + body::param_offset[J];
          if (++seen == mlayers) {
            detail_fixup::zero_dense<child>(cp);
          } else {
            for (std::size_t i = 0; i < child::in * child::out; ++i) cp[i] = static_cast<S>(cp[i] * scale);
          }
        }
      });
    }
  });
  using last = typename root::template child<root::n - 1>;
  if constexpr (ctnn::detail::is_plain_dense_node<last>::value) {
    detail_fixup::zero_dense<last>(p + root::param_offset[root::n - 1]);
    r.classifier_zeroed = true;
  }
  return r;
}

}  // namespace ctnn::init
