#pragma once
// instance_norm<Eps>: PyTorch's nn.InstanceNorm2d(C, affine=True) on images: each sample's
// channels are normalized separately over their H·W pixels (group_norm with one group per
// channel), then y = γ_c x̂ + β_c. Images only: on a feature vector each "instance" would be a
// single value (a compile error says so).
#include <cstddef>
#include <ctnn/graph/flatten_node.hpp>
#include <ctnn/norm/image_group_norm_node.hpp>
#include <ctnn/core/name_of.hpp>
#include <string_view>

namespace ctnn::norm {

/// instance_norm after a feature vector of the width shown.
template <std::size_t Width>
struct expect_image_for_instance_norm {
  static_assert(Width == 0, "ctnn::norm::instance_norm normalizes each channel over its pixels: it needs an image input");
  static constexpr bool value = true;
};

template <double Eps = 1e-5>
struct instance_norm {
  static std::string name() { return naming::compose("instance_norm", {naming::arg("eps", Eps, 1e-5)}); }
  static_assert(Eps > 0, "ctnn::norm::instance_norm<Eps>: Eps must be positive");
  static constexpr bool is_norm_policy = true;
  static constexpr double eps = Eps;
  struct names { static constexpr const char* torch_name = "InstanceNorm2d"; };
  /// On a feature vector: an error (instantiated only there), then a pass-through stand-in so that
  /// the error stays the only one (the network's layout reads a node's members).
  template <std::size_t Width>
  struct node : ::ctnn::detail::flatten_node<Width> {
    static_assert(expect_image_for_instance_norm<Width>::value);
  };
  template <std::size_t C, std::size_t Pixels>
  using image_node = detail::image_group_norm_node<C, Pixels, C, Eps, names>;
};

}  // namespace ctnn::norm
