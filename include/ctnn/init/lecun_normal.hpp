#pragma once
// lecun_normal: w ~ N(0, 1/fan_in) (the init SELU's self-normalization assumes).
#include <ctnn/init/scaled.hpp>
#include <string_view>

namespace ctnn::init {

struct lecun_normal : variance_scaling<distribution::normal, fan_rule::in, gain::linear> {
  static constexpr std::string_view name = "lecun_normal";
};

}  // namespace ctnn::init
