#pragma once
// kaiming_uniform<Gain, Mode> (He et al. 2015): w ~ U(−a, a), a = gain · √(3/fan), fan = fan_in
// (Mode in) or fan_out; Var w = gain²/fan as kaiming_normal.
#include <ctnn/init/scaled.hpp>
#include <ctnn/core/name_of.hpp>

namespace ctnn::init {

template <class Gain = gain::relu, fan_mode Mode = fan_mode::in>
struct kaiming_uniform : variance_scaling<distribution::uniform, to_rule(Mode), Gain> {
  static std::string name() {
    return naming::compose("kaiming_uniform", {naming::type<Gain, gain::relu>("gain"),
                                               naming::arg("mode", fan_mode_name(Mode), fan_mode_name(fan_mode::in))});
  }
};

}  // namespace ctnn::init
