#pragma once
// per_sample_node<Width, G, Eps, Centered, Affine bias, Name>: the bound node shared by the
// per-sample normalizations (layer_norm: G = 1; group_norm<G>; rms_norm: G = 1, not centered,
// no β). Each sample's Width features are split into G groups of n = Width/G; per group:
//   μ = (1/n) Σ x (0 when not centered),  σ² = (1/n) Σ (x − μ)²,  r = 1/√(σ² + ε),
//   x̂ = (x − μ) r,  y = γ ⊙ x̂ + β                                        (γ, β per feature)
// VJP, with g = ∂ℓ/∂y and h = γ ⊙ g, per group:
//   ∂ℓ/∂x = r (h − mean(h) − x̂ mean(h ⊙ x̂))     (centered; without the mean(h) term otherwise)
//   ∂ℓ/∂γ = Σ_batch g ⊙ x̂,  ∂ℓ/∂β = Σ_batch g
// The same in training and evaluation (no running statistics).
// Forward state per sample: x̂ (Width) and r (G).
#include <array>
#include <cmath>
#include <cstddef>
#include <string>
#include <type_traits>
#include <fmt/format.h>
#include <ctnn/core/rng.hpp>
#include <ctnn/graph/run_context.hpp>
#include <ctnn/graph/slot.hpp>
#include <ctnn/kernels/dense_forward_normalized.hpp>
#include <ctnn/kernels/row_normalize.hpp>
#include <ctnn/layers/identity.hpp>

namespace ctnn::norm {

/// group_norm<G> at width Width: G must divide Width (both shown).
template <std::size_t Width, std::size_t G>
struct expect_groups_divide_width {
  static_assert(G > 0 && Width % G == 0, "ctnn::norm::group_norm<G>: G must divide the layer's width");
  static constexpr bool value = true;
};

}  // namespace ctnn::norm

namespace ctnn::norm::detail {

template <std::size_t Width, std::size_t G, double Eps, bool Centered, bool HasBias, class Names>
struct per_sample_node {
  static_assert(expect_groups_divide_width<Width, G>::value);
  static constexpr std::size_t n = Width / G;
  static constexpr bool is_dense = false;
  static constexpr bool is_norm_node = true;  // γ is the first slot (init::apply_zero_gamma)
  static constexpr std::size_t in = Width, out = Width, modules = 1;
  static constexpr std::size_t bias_offset = round_up_to_slot(Width);
  static constexpr std::size_t params = HasBias ? 2 * bias_offset : bias_offset;
  static constexpr std::size_t internal = Width + G, grad_scratch = 0;
  static constexpr std::size_t slot_count = HasBias ? 2 : 1;
  static constexpr std::size_t buffers = 0, buffer_slot_count = 0;
  static constexpr std::size_t flops_per_sample = 0;
  static std::string describe() { return fmt::format("{} ({} features)", Names::torch_name, Width); }

  static consteval std::array<slot_desc, slot_count> slots() {
    slot_desc w{.offset = 0, .rank = 1, .rows = Width, .cols = 1, .fan_in = Width, .fan_out = Width,
                .role = slot_role::weight};
    if constexpr (HasBias) {
      slot_desc b = w;
      b.offset = bias_offset;
      b.role = slot_role::bias;
      return {w, b};
    } else {
      return {w};
    }
  }
  static consteval std::array<slot_desc, 0> buffer_slots() { return {}; }

  /// γ = 1, β = 0 (as PyTorch).
  template <class S>
  static void init(S* p, std::uint64_t, std::size_t) {
    for (std::size_t j = 0; j < Width; ++j) p[j] = S(1);
    if constexpr (HasBias)
      for (std::size_t j = 0; j < Width; ++j) p[bias_offset + j] = S(0);
  }

  template <class S>
  static void forward(const run_context<S>&, const S* p, const S* x, S* y, S* state, std::size_t batch) {
    kernels::normalize_rows<Width, G, Centered, HasBias, identity>(x, batch, p, p + bias_offset, S(Eps), state,
                                                                   state + Width * batch, y, static_cast<S*>(nullptr));
  }

  /// Fused with the dense layer before it (and the activation after it, when Act is not
  /// identity): chain_node calls this instead of the three forwards. z: the dense layer's output,
  /// y: this node's, act_y: the activation's (null without one).
  static constexpr bool fuses_into_dense = true;
  template <std::size_t In, class Act, class S>
  static void forward_after_dense(const run_context<S>& ctx, const S* p, const S* x, const S* w, const S* b, S* z,
                                  S* y, S* act_y, S* state, std::size_t batch) {
    kernels::dense_forward_normalized<In, Width, G, Centered, HasBias, Act>(
        x, batch, w, b, p, p + bias_offset, S(Eps), z, state, state + Width * batch, y, act_y, ctx.ws);
  }

  template <bool DyIsPre, class PrevAct, class S>
  static void backward(const run_context<S>&, const S* p, S* g, const S*, const S*, const S* state, S* dy,
                       S* dx, const S*, S*, std::size_t batch, bool accumulate) {
    static_assert(!DyIsPre && std::is_same_v<PrevAct, identity>,
                  "a normalization layer is never fused with its neighbours' activations");
    const S* xhat = state;
    const S* r = state + Width * batch;
    if (!accumulate) {
      for (std::size_t j = 0; j < Width; ++j) g[j] = S(0);
      if constexpr (HasBias)
        for (std::size_t j = 0; j < Width; ++j) g[bias_offset + j] = S(0);
    }
    for (std::size_t b = 0; b < batch; ++b)
      for (std::size_t j = 0; j < Width; ++j) {
        g[j] += dy[b * Width + j] * xhat[b * Width + j];
        if constexpr (HasBias) g[bias_offset + j] += dy[b * Width + j];
      }
    if (!dx) return;
    for (std::size_t b = 0; b < batch; ++b)
      for (std::size_t grp = 0; grp < G; ++grp) {
        const std::size_t o = b * Width + grp * n;
        S mh = 0, mhx = 0;
        for (std::size_t j = 0; j < n; ++j) {
          const S h = p[grp * n + j] * dy[o + j];
          mh += h;
          mhx += h * xhat[o + j];
        }
        mh = Centered ? mh / S(n) : S(0);
        mhx /= S(n);
        const S inv = r[b * G + grp];
        for (std::size_t j = 0; j < n; ++j)
          dx[o + j] = inv * (p[grp * n + j] * dy[o + j] - mh - xhat[o + j] * mhx);
      }
  }
};

}  // namespace ctnn::norm::detail
