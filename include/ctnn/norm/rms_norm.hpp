#pragma once
// rms_norm<Eps>: PyTorch's nn.RMSNorm(F): per sample, over its F features, no centering, no β:
//   r = 1/√(mean(x²) + ε), x̂ = x r, y = γ ⊙ x̂.
// VJP (g = ∂ℓ/∂y, h = γ ⊙ g): ∂ℓ/∂x = r (h − x̂ mean(h ⊙ x̂)); ∂ℓ/∂γ = Σ_batch g ⊙ x̂.
// Shapes: [batch, F] → [batch, F]; γ: [F]. ε defaults to 1e-6 (PyTorch's default is the
// dtype's machine epsilon). Zhang & Sennrich 2019, https://arxiv.org/abs/1910.07467.
#include <cstddef>
#include <ctnn/norm/per_sample_node.hpp>
#include <ctnn/core/name_of.hpp>
#include <string_view>

namespace ctnn::norm {

template <double Eps = 1e-6>
struct rms_norm {
  static std::string name() { return naming::compose("rms_norm", {naming::arg("eps", Eps, 1e-6)}); }
  static_assert(Eps > 0, "ctnn::norm::rms_norm<Eps>: Eps must be positive");
  static constexpr bool is_norm_policy = true;
  static constexpr double eps = Eps;
  struct names { static constexpr const char* torch_name = "RMSNorm"; };
  template <std::size_t Width>
  using node = detail::per_sample_node<Width, 1, Eps, false, false, names>;
};

}  // namespace ctnn::norm
