#pragma once
// identity: W = I (rectangular: ones on the main diagonal, zeros elsewhere), for deep linear
// networks where the product of identities is the identity at any depth. The layout is that of
// a weight [rows = fan_out, cols = fan_in].
#include <algorithm>
#include <ctnn/init/concepts.hpp>

namespace ctnn::init {

struct identity {
  template <class S>
  static void fill(std::span<S> w, fans f, rng&) {
    std::fill(w.begin(), w.end(), S(0));
    const std::size_t rows = f.fan_out, cols = f.fan_in;
    if (rows * cols != w.size()) return;  // not a matrix of these fans: leave zeros
    for (std::size_t i = 0; i < std::min(rows, cols); ++i) w[i * cols + i] = S(1);
  }
};

}  // namespace ctnn::init
