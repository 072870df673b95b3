#pragma once
// The InitPolicy contract.
//
// An init policy fills one weight tensor given its fans (known from the layer type at compile
// time) and a seeded random stream of its own:
//     P::fill(std::span<S> w, ctnn::init::fans f, ctnn::rng& g)   for S = float and double.
// Data-dependent policies (LSUV, ...) additionally run after allocation on a batch of data.
#include <concepts>
#include <cstddef>
#include <span>
#include <ctnn/core/rng.hpp>
#include <string_view>

namespace ctnn::init {

/// fan_in = inputs feeding one output; fan_out = outputs fed by one input (k² · channels for conv).
/// receptive = k² for a k×k convolution (1 for dense): the weight is the matrix
/// [fan_out / receptive, fan_in] = [out channels, in channels · k²], as PyTorch views it.
struct fans {
  std::size_t fan_in = 1;
  std::size_t fan_out = 1;
  std::size_t receptive = 1;
  constexpr std::size_t rows() const { return fan_out / receptive; }
};

enum class fan_mode { in, out };
/// "fan_in" / "fan_out" (policy names, ctnn::name_of).
constexpr std::string_view fan_mode_name(fan_mode m) { return m == fan_mode::in ? "fan_in" : "fan_out"; }

}  // namespace ctnn::init

namespace ctnn {

template <class P>
concept InitPolicy = requires(std::span<float> wf, std::span<double> wd, init::fans f, rng& g) {
  P::fill(wf, f, g);
  P::fill(wd, f, g);
};

}  // namespace ctnn
