#pragma once
// constant<V>: w = V for every entry (V a double NTTP: g++ ≥ 11, clang ≥ 18).
#include <algorithm>
#include <ctnn/init/concepts.hpp>
#include <ctnn/core/name_of.hpp>
#include <string_view>

namespace ctnn::init {

template <double V>
struct constant {
  static std::string name() { return naming::compose("constant", {naming::arg(V)}); }
  template <class S>
  static void fill(std::span<S> w, fans, rng&) {
    std::fill(w.begin(), w.end(), static_cast<S>(V));
  }
};

}  // namespace ctnn::init
