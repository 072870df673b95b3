#pragma once
// kaiming_normal<Gain, Mode> (He et al. 2015): w ~ N(0, σ²), σ = gain / √fan,
// fan = fan_in (default: preserves forward variance) or fan_out (preserves backward variance).
// Default gain √2 for a following ReLU, as torch.nn.init.kaiming_normal_.
#include <cmath>
#include <ctnn/init/concepts.hpp>
#include <ctnn/init/gain.hpp>
#include <ctnn/core/name_of.hpp>
#include <string_view>

namespace ctnn::init {

template <class Gain = gain::relu, fan_mode Mode = fan_mode::in>
struct kaiming_normal {
  static std::string name() {
    return naming::compose("kaiming_normal", {naming::type<Gain, gain::relu>("gain"),
                                              naming::arg("mode", fan_mode_name(Mode), fan_mode_name(fan_mode::in))});
  }
  template <class S>
  static void fill(std::span<S> w, fans f, rng& g) {
    const double fan = static_cast<double>(Mode == fan_mode::in ? f.fan_in : f.fan_out);
    const double sigma = Gain::value / std::sqrt(fan);
    for (auto& v : w) v = static_cast<S>(sigma * g.normal());
  }
};

}  // namespace ctnn::init
