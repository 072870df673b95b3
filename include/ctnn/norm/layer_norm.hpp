#pragma once
// layer_norm<Eps>: PyTorch's nn.LayerNorm(F): per sample, over its F features,
//   μ = mean(x), σ² = mean((x − μ)²) (biased), x̂ = (x − μ)/√(σ² + ε), y = γ ⊙ x̂ + β.
// VJP (g = ∂ℓ/∂y, h = γ ⊙ g): ∂ℓ/∂x = (h − mean(h) − x̂ mean(h ⊙ x̂))/√(σ² + ε);
//   ∂ℓ/∂γ = Σ_batch g ⊙ x̂, ∂ℓ/∂β = Σ_batch g. Shapes: [batch, F] → [batch, F]; γ, β: [F].
// Ba, Kiros & Hinton 2016, https://arxiv.org/abs/1607.06450.
#include <cstddef>
#include <ctnn/norm/per_sample_node.hpp>
#include <ctnn/core/name_of.hpp>
#include <string_view>

namespace ctnn::norm {

template <double Eps = 1e-5>
struct layer_norm {
  static std::string name() { return naming::compose("layer_norm", {naming::arg("eps", Eps, 1e-5)}); }
  static_assert(Eps > 0, "ctnn::norm::layer_norm<Eps>: Eps must be positive");
  static constexpr bool is_norm_policy = true;
  static constexpr double eps = Eps;
  struct names { static constexpr const char* torch_name = "LayerNorm"; };
  template <std::size_t Width>
  using node = detail::per_sample_node<Width, 1, Eps, true, true, names>;
};

}  // namespace ctnn::norm
