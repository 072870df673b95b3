#pragma once
// dense<Out, Init, Norm>: z = x Wᵀ + b, W: Out×In (PyTorch's nn.Linear layout), b: Out.
// VJP: dx = dz W; dW = dzᵀ x; db = Σ_batch dz. fan_in = In, fan_out = Out.
// An activation written right after a dense layer is fused into its kernels (one pass over z).
#include <cstddef>
#include <ctnn/init/concepts.hpp>
#include <ctnn/init/kaiming_normal.hpp>
#include <ctnn/init/net_default.hpp>
#include <ctnn/norm/concepts.hpp>
#include <ctnn/norm/net_default.hpp>
#include <ctnn/norm/none.hpp>

namespace ctnn {

/// dense<Out, Init, Norm>: Init must be an init policy (the type shown).
template <class Init>
struct expect_init_policy {
  static_assert(InitPolicy<Init>, "ctnn::dense<Out, Init, Norm>: Init is not an init policy "
                                  "(ctnn::InitPolicy needs Init::fill(std::span<S>, init::fans, rng&))");
  static constexpr bool value = true;
};
/// dense<Out, Init, Norm>: Norm must be a norm policy (the type shown).
template <class Norm>
struct expect_norm_policy {
  static_assert(NormPolicy<Norm>, "ctnn::dense<Out, Init, Norm>: Norm is not a norm policy "
                                  "(ctnn::NormPolicy needs Norm::is_norm_policy == true)");
  static constexpr bool value = true;
};

// The policies are checked with static_assert rather than a requires-clause: a constraint
// failure makes the whole network type invalid and g++ then reports every use of it again.
// Init and Norm default to the network's defaults (init::net_default, norm::net_default):
// kaiming_normal<> and norm::none unless the network is wrapped in ctnn::with_defaults.
template <std::size_t Out, class Init = init::net_default, class Norm = norm::net_default>
struct dense {
  static_assert(Out > 0, "ctnn::dense<Out>: Out must be positive");
  static_assert(expect_init_policy<Init>::value && expect_norm_policy<Norm>::value);
  static constexpr bool checked = true;
  static constexpr std::size_t out_features = Out;
  using init_policy = Init;
  using norm_policy = Norm;
};

}  // namespace ctnn
