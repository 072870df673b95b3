#pragma once
// The NormPolicy contract: a type naming how a layer's output is normalized.
// A norm policy declares `static constexpr bool is_norm_policy = true` and, when it has
// parameters or running statistics, describes them to the plan. Only norm::none exists so far.
#include <concepts>

namespace ctnn {

template <class P>
concept NormPolicy = requires {
  { P::is_norm_policy } -> std::convertible_to<bool>;
} && P::is_norm_policy;

}  // namespace ctnn
