#pragma once
// norm::none: the layer's output is not normalized.
namespace ctnn::norm {

struct none {
  static constexpr bool is_norm_policy = true;
};

}  // namespace ctnn::norm
