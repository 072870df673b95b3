#pragma once
// xavier_uniform<Gain> (Glorot & Bengio 2010): w ~ U(−a, a), a = gain · √(6 / (fan_in + fan_out)),
// so Var w = gain² · 2 / (fan_in + fan_out).
#include <cmath>
#include <ctnn/init/concepts.hpp>
#include <ctnn/init/gain.hpp>
#include <ctnn/core/name_of.hpp>
#include <string_view>

namespace ctnn::init {

template <class Gain = gain::linear>
struct xavier_uniform {
  static std::string name() { return naming::compose("xavier_uniform", {naming::type<Gain, gain::linear>("gain")}); }
  template <class S>
  static void fill(std::span<S> w, fans f, rng& g) {
    const double a = Gain::value * std::sqrt(6.0 / static_cast<double>(f.fan_in + f.fan_out));
    for (auto& v : w) v = static_cast<S>(g.uniform(-a, a));
  }
};

}  // namespace ctnn::init
