#pragma once
// group_norm<G, Eps>: PyTorch's nn.GroupNorm(G, F) on [batch, F]: each sample's F features are
// split into G consecutive groups of F/G; per group
//   μ = mean(x), σ² = mean((x − μ)²) (biased), x̂ = (x − μ)/√(σ² + ε); then y = γ ⊙ x̂ + β
// with γ, β per feature. VJP per group (g = ∂ℓ/∂y, h = γ ⊙ g):
//   ∂ℓ/∂x = (h − mean(h) − x̂ mean(h ⊙ x̂))/√(σ² + ε); ∂ℓ/∂γ = Σ_batch g ⊙ x̂, ∂ℓ/∂β = Σ_batch g.
// G must divide F. group_norm<1> is layer_norm. On an image (NHWC inside) it is nn.GroupNorm(G, C)
// on [batch, C, H, W]: see norm/image_group_norm_node.hpp. Wu & He 2018, https://arxiv.org/abs/1803.08494.
#include <cstddef>
#include <ctnn/norm/image_group_norm_node.hpp>
#include <ctnn/norm/per_sample_node.hpp>
#include <ctnn/core/name_of.hpp>
#include <string_view>

namespace ctnn::norm {

template <std::size_t G, double Eps = 1e-5>
struct group_norm {
  static std::string name() { return naming::compose("group_norm", {naming::arg(G), naming::arg("eps", Eps, 1e-5)}); }
  static_assert(G > 0, "ctnn::norm::group_norm<G>: G must be positive");
  static_assert(Eps > 0, "ctnn::norm::group_norm<G, Eps>: Eps must be positive");
  static constexpr bool is_norm_policy = true;
  static constexpr std::size_t groups = G;
  static constexpr double eps = Eps;
  struct names { static constexpr const char* torch_name = "GroupNorm"; };
  template <std::size_t Width>
  using node = detail::per_sample_node<Width, G, Eps, true, true, names>;
  /// On an image of C channels: nn.GroupNorm(G, C), groups of channels over all pixels.
  template <std::size_t C, std::size_t Pixels>
  using image_node = detail::image_group_norm_node<C, Pixels, G, Eps, names>;
};

}  // namespace ctnn::norm
