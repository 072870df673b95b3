#pragma once
// kaiming_uniform<Gain, Mode> (He et al. 2015): w ~ U(−a, a), a = gain · √(3/fan), fan = fan_in
// (Mode in) or fan_out; Var w = gain²/fan as kaiming_normal.
#include <ctnn/init/scaled.hpp>

namespace ctnn::init {

template <class Gain = gain::relu, fan_mode Mode = fan_mode::in>
struct kaiming_uniform : variance_scaling<distribution::uniform, to_rule(Mode), Gain> {};

}  // namespace ctnn::init
