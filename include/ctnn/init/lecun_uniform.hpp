#pragma once
// lecun_uniform: w ~ U(−a, a), a = √(3/fan_in), so Var w = 1/fan_in.
#include <ctnn/init/scaled.hpp>
#include <string_view>

namespace ctnn::init {

struct lecun_uniform : variance_scaling<distribution::uniform, fan_rule::in, gain::linear> {
  static constexpr std::string_view name = "lecun_uniform";
};

}  // namespace ctnn::init
