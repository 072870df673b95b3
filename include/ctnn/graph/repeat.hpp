#pragma once
// repeat<K, Layers...>: Layers... written out K times in place (each copy has its own
// parameters; modules are numbered on, as if the copies were written by hand).
#include <cstddef>

namespace ctnn {

template <std::size_t K, class... Layers>
struct repeat {
  static_assert(K > 0, "ctnn::repeat<K, ...>: K must be positive");
  static_assert(sizeof...(Layers) > 0, "ctnn::repeat<K, Layers...>: give at least one layer to repeat");
};

}  // namespace ctnn
