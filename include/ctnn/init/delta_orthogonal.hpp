#pragma once
// delta_orthogonal<Gain> (Xiao et al. 2018, "Dynamical isometry and a mean field theory of CNNs",
// catalogue A2): a k×k convolution's weight is zero except at the centre tap, where the
// [out, in] matrix of channels is gain · Q, Q (semi-)orthogonal as orthogonal<> draws it:
//   W[o, c, i, j] = gain · Q[o, c] if i = j = (k − 1)/2, else 0.
// The layer is then an orthogonal map of channels at every pixel, so depth does not distort
// the signal at initialization. On a dense layer (receptive = 1) it is orthogonal<Gain>.
#include <cstddef>
#include <vector>
#include <ctnn/init/concepts.hpp>
#include <ctnn/init/orthogonal.hpp>
#include <ctnn/core/name_of.hpp>
#include <string_view>

namespace ctnn::init {

template <double Gain = 1.0>
struct delta_orthogonal {
  static std::string name() { return naming::compose("delta_orthogonal", {naming::arg("gain", Gain, 1.0)}); }
  template <class S>
  static void fill(std::span<S> w, fans f, rng& g) {
    const std::size_t taps = f.receptive, rows = f.rows(), channels = f.fan_in / taps;
    std::vector<S> q(rows * channels);
    // The channel matrix as orthogonal<> would draw a dense [rows, channels] weight.
    orthogonal<Gain>::fill(std::span<S>(q), fans{.fan_in = channels, .fan_out = rows}, g);
    std::fill(w.begin(), w.end(), S(0));
    const std::size_t centre = taps / 2;  // the middle tap of an odd k×k kernel
    for (std::size_t o = 0; o < rows; ++o)
      for (std::size_t c = 0; c < channels; ++c) w[(o * channels + c) * taps + centre] = q[o * channels + c];
  }
};

}  // namespace ctnn::init
