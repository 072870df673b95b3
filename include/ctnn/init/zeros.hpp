#pragma once
// zeros: w = 0. The bias initialization of every dense layer.
#include <algorithm>
#include <ctnn/init/concepts.hpp>
#include <string_view>

namespace ctnn::init {

struct zeros {
  static constexpr std::string_view name = "zeros";
  template <class S>
  static void fill(std::span<S> w, fans, rng&) {
    std::fill(w.begin(), w.end(), S(0));
  }
};

}  // namespace ctnn::init
