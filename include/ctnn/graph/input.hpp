#pragma once
// input<N>: the first element of every network: N features per sample (the batch is a run-time size).
#include <cstddef>

namespace ctnn {

template <std::size_t Features>
struct input {
  static_assert(Features > 0, "ctnn::input<N>: N must be positive");
  static constexpr std::size_t features = Features;
};

}  // namespace ctnn
