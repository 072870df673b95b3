#pragma once
// lsuv<Tol, MaxIter>: layer-sequential unit-variance init (Mishkin & Matas 2016, "All you need is
// a good init"). Data-dependent, in two steps:
//  1. at allocation the policy fills weights as orthogonal<1> (the paper's pre-initialization);
//  2. ctnn::init::apply_lsuv(model, x, batch[, tol, max_iter]) then goes over the network's
//     plain dense layers in forward order, those inside residual blocks too (at any depth; a
//     projection shortcut's after its block's branch):
//     forward the batch, measure the variance of the layer's pre-activation output
//     z = x_l Wᵀ + b (x_l: the layer's input, read from the forward state; z recomputed here in
//     double so no kernel changes), scale W by 1/√Var(z), until |Var(z) − 1| < tol or max_iter
//     rescalings.
// Var(z) is the variance of all batch × width elements of z about their common mean.
// Weight-reparametrized dense nodes (norm::weight_norm, spectral_norm) are left as they are, and
// so is everything inside a network whose root is a single layer (no forward state to read).
#include <cmath>
#include <cstddef>
#include <span>
#include <string>
#include <type_traits>
#include <vector>
#include <ctnn/init/concepts.hpp>
#include <ctnn/init/orthogonal.hpp>
#include <ctnn/core/name_of.hpp>
#include <string_view>

namespace ctnn::detail {
template <std::size_t In, std::size_t Out, class Act, class Init, class Norm, std::size_t Modules>
struct dense_node;

template <class Node>
struct is_plain_dense_node : std::false_type {};
template <std::size_t In, std::size_t Out, class Act, class Init, class Norm, std::size_t Modules>
struct is_plain_dense_node<dense_node<In, Out, Act, Init, Norm, Modules>> : std::true_type {};

template <std::size_t Width, class Body>
struct residual_node;
template <std::size_t In, std::size_t Out, class Body, class Shortcut>
struct projected_residual_node;
/// Residual blocks whose state is f(x), then the body's state (then, with a projection,
/// s(x) and the shortcut's state).
template <class Node>
struct is_residual_body : std::false_type {};
template <std::size_t Width, class Body>
struct is_residual_body<residual_node<Width, Body>> : std::true_type {};
template <std::size_t In, std::size_t Out, class Body, class Shortcut>
struct is_residual_body<projected_residual_node<In, Out, Body, Shortcut>> : std::true_type {};
}  // namespace ctnn::detail

namespace ctnn::init {

template <double Tol = 0.1, std::size_t MaxIter = 10>
struct lsuv {
  static std::string name() {
    return naming::compose("lsuv", {naming::arg("tol", Tol, 0.1), naming::arg("max_iter", MaxIter, std::size_t(10))});
  }
  static_assert(Tol > 0, "ctnn::init::lsuv<Tol, MaxIter>: Tol must be positive");
  static constexpr double tol = Tol;
  static constexpr std::size_t max_iter = MaxIter;
  template <class S>
  static void fill(std::span<S> w, fans f, rng& g) {
    orthogonal<1.0>::fill(w, f, g);
  }
};

/// What apply_lsuv did to one dense layer.
struct lsuv_layer_report {
  std::size_t module = 0;       ///< its top-level module index (of the enclosing block when nested)
  std::string path;             ///< its module path, as in parameter names: "3", or "2.1" inside block 2
  double variance = 0;          ///< Var(z) on the calibration batch after the last rescaling
  std::size_t iterations = 0;   ///< rescalings applied
  bool converged = false;       ///< |variance − 1| < tol
};

/// Var(z) for z = x Wᵀ + b (x: batch × in, W: out × in row-major), in double.
template <class S>
double preactivation_variance(const S* x, const S* w, const S* b, std::size_t batch, std::size_t in,
                              std::size_t out) {
  double sum = 0, sum2 = 0;
  for (std::size_t i = 0; i < batch; ++i)
    for (std::size_t o = 0; o < out; ++o) {
      double z = static_cast<double>(b[o]);
      for (std::size_t k = 0; k < in; ++k) z += static_cast<double>(x[i * in + k]) * static_cast<double>(w[o * in + k]);
      sum += z;
      sum2 += z * z;
    }
  const double n = static_cast<double>(batch * out);
  const double mean = sum / n;
  return sum2 / n - mean * mean;
}

/// The input to each top-level layer of `m` after a forward of x: x itself for the first.
template <class Model>
std::vector<const typename Model::scalar*> top_level_inputs(Model& m, const typename Model::scalar* x) {
  std::vector<const typename Model::scalar*> inputs{x};
  m.visit_layer_outputs([&](std::size_t, const auto&, const auto* out, std::size_t) { inputs.push_back(out); });
  return inputs;
}

namespace detail_lsuv {
/// LSUV on the plain dense layers of Chain, in forward order, recursing into residual blocks.
/// p: the chain's parameters; x, state: its input and forward state (as the chain's forward saw
/// them: the same addresses for every forward of the same batch); again() re-runs the model.
/// module_base: added to the chain's module indices (a shortcut's layers follow the body's).
template <class Chain, class S, class Again>
void chain(S* p, const S* x, const S* state, std::size_t batch, const std::string& prefix, std::size_t module_base,
           std::size_t top_module, double tol, std::size_t max_iter, Again& again,
           std::vector<lsuv_layer_report>& reports) {
  auto layer = [&]<std::size_t K>(std::integral_constant<std::size_t, K>) {
    using node = typename Chain::template child<K>;
    const S* in = x;  // child K's input: the chain's, or child K−1's output (in the state: K−1 < n−1)
    if constexpr (K > 0) in = state + Chain::layout.out_offset[K - 1] * batch;
    const std::string path = prefix + std::to_string(module_base + Chain::module_start[K]);
    const std::size_t module = prefix.empty() ? Chain::module_start[K] : top_module;
    if constexpr (ctnn::detail::is_plain_dense_node<node>::value) {
      S* w = p + Chain::param_offset[K];
      const S* b = w + node::bias_offset;
      lsuv_layer_report r{.module = module, .path = path};
      for (;;) {
        again();
        r.variance = preactivation_variance(in, w, b, batch, node::in, node::out);
        r.converged = std::abs(r.variance - 1.0) < tol;
        if (r.converged || r.iterations >= max_iter || !(r.variance > 0) || !std::isfinite(r.variance)) break;
        const double scale = 1.0 / std::sqrt(r.variance);
        for (std::size_t i = 0; i < node::in * node::out; ++i) w[i] = static_cast<S>(w[i] * scale);
        ++r.iterations;
      }
      reports.push_back(r);
    } else if constexpr (ctnn::detail::is_residual_body<node>::value) {
      // The block's state: f(x) (the body's output), then the body's own state; with a
      // projection, then s(x) and the shortcut's state (its parameters after the body's).
      using body = typename node::body_type;
      const S* fx = state + Chain::layout.internal_offset[K] * batch;
      chain<body>(p + Chain::param_offset[K], in, fx + node::out * batch, batch, path + ".", 0, module, tol, max_iter,
                  again, reports);
      if constexpr (requires { typename node::shortcut_type; }) {
        const S* sx = fx + (node::out + body::internal) * batch;
        chain<typename node::shortcut_type>(p + Chain::param_offset[K] + body::params, in, sx + node::out * batch, batch,
                                            path + ".", body::modules, module, tol, max_iter, again, reports);
      }
    }
  };
  [&]<std::size_t... K>(std::index_sequence<K...>) {
    (layer(std::integral_constant<std::size_t, K>{}), ...);
  }(std::make_index_sequence<Chain::n>{});
}
}  // namespace detail_lsuv

/// LSUV on a model already initialized (ideally with init::lsuv<> or orthogonal<>): x is
/// batch × Model::in_features, row-major. Returns one report per plain dense layer, in forward
/// order (nested ones included).
template <class Model>
std::vector<lsuv_layer_report> apply_lsuv(Model& m, const typename Model::scalar* x, std::size_t batch,
                                          double tol = 0.1, std::size_t max_iter = 10) {
  using root = typename Model::root;
  using S = typename Model::scalar;
  std::vector<lsuv_layer_report> reports;
  m.forward(x, batch);
  // The root's forward state starts with its first child's output (graph/chain_node.hpp's layout),
  // so that output's address is the state's base. A one-layer root keeps no state to read.
  const S* state = nullptr;
  if constexpr (root::n > 1) {
    static_assert(root::layout.out_offset[0] == 0);
    state = top_level_inputs(m, x)[1];
  }
  auto again = [&] { m.forward(x, batch); };
  if constexpr (root::n > 1 || detail::is_plain_dense_node<typename root::template child<0>>::value)
    detail_lsuv::chain<root>(m.parameters().data(), x, state, batch, "", 0, 0, tol, max_iter, again, reports);
  m.detach_input();
  return reports;
}

/// apply_lsuv with the tolerance and iteration cap of the policy lsuv<Tol, MaxIter>.
template <class Policy, class Model>
std::vector<lsuv_layer_report> apply_lsuv(Model& m, const typename Model::scalar* x, std::size_t batch) {
  return apply_lsuv(m, x, batch, Policy::tol, Policy::max_iter);
}

}  // namespace ctnn::init
