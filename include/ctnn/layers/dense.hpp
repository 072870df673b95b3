#pragma once
// dense<Out, Init, Norm>: z = x Wᵀ + b, W: Out×In (PyTorch's nn.Linear layout), b: Out.
// VJP: dx = dz W; dW = dzᵀ x; db = Σ_batch dz. fan_in = In, fan_out = Out.
// An activation written right after a dense layer is fused into its kernels (one pass over z).
#include <cstddef>
#include <ctnn/init/concepts.hpp>
#include <ctnn/init/kaiming_normal.hpp>
#include <ctnn/norm/concepts.hpp>
#include <ctnn/norm/none.hpp>

namespace ctnn {

template <std::size_t Out, InitPolicy Init = init::kaiming_normal<>, NormPolicy Norm = norm::none>
struct dense {
  static_assert(Out > 0, "ctnn::dense<Out>: Out must be positive");
  static constexpr std::size_t out_features = Out;
  using init_policy = Init;
  using norm_policy = Norm;
};

}  // namespace ctnn
