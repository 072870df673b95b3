#pragma once
// Zero-γ (Goyal et al. 2017, "Accurate, Large Minibatch SGD", §5.1): the last normalization
// layer of every residual branch starts with γ = 0, so the branch starts as f(x) = β = 0 and the
// block as the identity. Applied to a model after its ordinary init:
//   ctnn::init::apply_zero_gamma(model);
// It walks every residual block, nested ones included (a residual<> inside another's branch),
// and blocks with a projection shortcut (their branch; the shortcut's norm keeps its γ), finds
// the last norm layer of the block's own branch (batch_norm, layer_norm, rms_norm, group_norm:
// the nodes declaring is_norm_node, whose first slot is γ, also when applied per pixel of an
// image, as BatchNorm2d after conv2d), and sets that γ to 0.
// Every other parameter, and every other norm's γ (the branch's earlier norms, norms outside
// residual blocks), keeps its value; β and the running statistics are left alone.
// A block is exactly the identity at init when its branch ends with that norm, optionally
// followed by an activation with Act(0) = 0 (relu, tanh, ...): y = x + Act(0·x̂ + 0) = x.
// Goyal et al. 2017, https://arxiv.org/abs/1706.02677 (also He et al. 2019, "Bag of Tricks").
#include <algorithm>
#include <cstddef>
#include <utility>
#include <ctnn/graph/slot.hpp>
#include <ctnn/init/fixup.hpp>  // detail::is_residual_node, detail_fixup::for_each_child

namespace ctnn::detail {
template <class Node, std::size_t Pixels>
struct spatial_node;
}  // namespace ctnn::detail

namespace ctnn::init {

/// What apply_zero_gamma did.
struct zero_gamma_report {
  std::size_t blocks = 0;   ///< residual blocks visited (all depths)
  std::size_t zeroed = 0;   ///< of them, blocks whose last norm's γ is now 0
};

namespace detail_zero_gamma {
template <class Node>
struct norm_node {
  static constexpr bool value = [] {
    if constexpr (requires { Node::is_norm_node; }) return bool(Node::is_norm_node);
    else return false;
  }();
};
/// A norm applied per pixel of an image (BatchNorm2d, channels-last LayerNorm): the norm's own
/// parameters, γ first.
template <class Node, std::size_t Pixels>
struct norm_node<ctnn::detail::spatial_node<Node, Pixels>> : norm_node<Node> {};
template <class Node>
constexpr bool is_norm_node() {
  return norm_node<Node>::value;
}
/// The index of the last norm child of Chain, or Chain::n when it has none.
template <class Chain>
constexpr std::size_t last_norm_child() {
  std::size_t last = Chain::n;
  [&]<std::size_t... K>(std::index_sequence<K...>) {
    ((is_norm_node<typename Chain::template child<K>>() ? (last = K) : last), ...);
  }(std::make_index_sequence<Chain::n>{});
  return last;
}

/// Visits every residual block under Chain (p: Chain's parameters).
template <class Chain, class S>
void walk(S* p, zero_gamma_report& r) {
  detail_fixup::for_each_child<Chain>([&]<std::size_t K>(std::integral_constant<std::size_t, K>) {
    using node = typename Chain::template child<K>;
    if constexpr (ctnn::detail::is_residual_node<node>::value) {
      using body = typename node::body_type;
      S* bp = p + Chain::param_offset[K];  // a residual node's parameters are its body's
      ++r.blocks;
      constexpr std::size_t j = last_norm_child<body>();
      if constexpr (j < body::n) {
        using norm = typename body::template child<j>;
        constexpr auto gamma = norm::slots()[0];
        static_assert(gamma.role == slot_role::weight && gamma.offset == 0, "a norm node's first slot is γ");
        std::fill_n(bp + body::param_offset[j], gamma.size(), S(0));
        ++r.zeroed;
      }
      walk<body>(bp, r);
    }
  });
}
}  // namespace detail_zero_gamma

template <class Model>
zero_gamma_report apply_zero_gamma(Model& m) {
  zero_gamma_report r;
  detail_zero_gamma::walk<typename Model::root>(m.parameters().data(), r);
  return r;
}

}  // namespace ctnn::init
