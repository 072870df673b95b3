#pragma once
// identity: W = I (rectangular: ones on the main diagonal, zeros elsewhere), for deep linear
// networks where the product of identities is the identity at any depth. The layout is that of
// a weight [rows = fan_out / receptive, cols = fan_in]. For a k×k convolution (receptive = k²,
// k odd) it is the Dirac kernel (torch.nn.init.dirac_): W[o, o, centre, centre] = 1, so the layer
// passes channel o through unchanged.
#include <algorithm>
#include <ctnn/init/concepts.hpp>
#include <string_view>

namespace ctnn::init {

struct identity {
  static constexpr std::string_view name = "identity";
  template <class S>
  static void fill(std::span<S> w, fans f, rng&) {
    std::fill(w.begin(), w.end(), S(0));
    const std::size_t rows = f.rows(), cols = f.fan_in;
    if (rows * cols != w.size()) return;  // not a matrix of these fans: leave zeros
    const std::size_t taps = f.receptive, channels = cols / taps, centre = taps / 2;
    for (std::size_t i = 0; i < std::min(rows, channels); ++i) w[i * cols + i * taps + centre] = S(1);
  }
};

}  // namespace ctnn::init
