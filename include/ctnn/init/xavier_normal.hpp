#pragma once
// xavier_normal<Gain> (Glorot & Bengio 2010): w ~ N(0, gain² · 2/(fan_in + fan_out)).
#include <ctnn/init/scaled.hpp>
#include <ctnn/core/name_of.hpp>

namespace ctnn::init {

template <class Gain = gain::linear>
struct xavier_normal : variance_scaling<distribution::normal, fan_rule::average, Gain> {
  static std::string name() { return naming::compose("xavier_normal", {naming::type<Gain, gain::linear>("gain")}); }
};

}  // namespace ctnn::init
