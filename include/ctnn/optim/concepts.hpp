#pragma once
// The Optimizer contract. An optimizer is its hyperparameters (a designated-initializer
// struct); its per-run state lives apart, in arenas of the parameter arena's layout:
//     auto st = opt.template make_state<S>(n);            // zeroed state for n parameters
//     opt.update(params, grads, st, n);                   // one fused pass over the arenas
#include <concepts>
#include <cstddef>

namespace ctnn {

template <class O>
concept Optimizer = requires(const O o, float* p, const float* g, std::size_t n) {
  typename O::template state<float>;
  { o.template make_state<float>(n) } -> std::same_as<typename O::template state<float>>;
  o.update(p, g, std::declval<typename O::template state<float>&>(), n);
};

}  // namespace ctnn
