#pragma once
// norm::none: the layer's output is not normalized.
#include <string_view>

namespace ctnn::norm {

struct none {
  static constexpr std::string_view name = "none";
  static constexpr bool is_norm_policy = true;
};

}  // namespace ctnn::norm
