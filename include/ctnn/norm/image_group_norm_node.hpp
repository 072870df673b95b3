#pragma once
// image_group_norm_node<C, Pixels, G, Eps>: group_norm<G> (and instance_norm, G = C) bound to an
// image of C channels and Pixels pixels, stored channels-last (NHWC). As PyTorch's
// nn.GroupNorm(G, C) on [batch, C, H, W]: per sample, the C channels are split into G groups of
// C/G; each group's m = Pixels·C/G values (its channels at every pixel) are normalized together:
//   μ = (1/m) Σ x,  σ² = (1/m) Σ (x − μ)²,  r = 1/√(σ² + ε),  x̂ = (x − μ) r,  y = γ_c x̂ + β_c
// with γ, β per channel. VJP per group (g = ∂ℓ/∂y, h = γ_c g):
//   ∂ℓ/∂x = r (h − mean(h) − x̂ mean(h x̂)),  ∂ℓ/∂γ_c = Σ g x̂,  ∂ℓ/∂β_c = Σ g (over batch and pixels).
// The same in training and evaluation. Forward state per sample: x̂ (Pixels·C) and r (G).
#include <array>
#include <cmath>
#include <cstddef>
#include <string>
#include <type_traits>
#include <fmt/format.h>
#include <ctnn/graph/run_context.hpp>
#include <ctnn/graph/slot.hpp>
#include <ctnn/layers/identity.hpp>

namespace ctnn::norm {
/// group_norm<G> on an image of C channels: G must divide C (both shown).
template <std::size_t Channels, std::size_t G>
struct expect_groups_divide_channels {
  static_assert(G > 0 && Channels % G == 0, "ctnn::norm::group_norm<G>: G must divide the image's channel count");
  static constexpr bool value = true;
};
}  // namespace ctnn::norm

namespace ctnn::norm::detail {

template <std::size_t C, std::size_t Pixels, std::size_t G, double Eps, class Names>
struct image_group_norm_node {
  static_assert(expect_groups_divide_channels<C, G>::value);
  static constexpr std::size_t nc = C / G, m = Pixels * nc, Width = Pixels * C;
  static constexpr bool is_dense = false;
  static constexpr bool is_norm_node = true;  // γ is the first slot (init::apply_zero_gamma)
  static constexpr std::size_t in = Width, out = Width, modules = 1;
  static constexpr std::size_t bias_offset = round_up_to_slot(C);
  static constexpr std::size_t params = 2 * bias_offset, slot_count = 2;
  static constexpr std::size_t internal = Width + G, grad_scratch = 0;
  static constexpr std::size_t buffers = 0, buffer_slot_count = 0;
  static constexpr std::size_t flops_per_sample = 0;
  static std::string describe() { return fmt::format("{} ({} groups of {} channels × {} pixels)", Names::torch_name, G, nc, Pixels); }
  static consteval std::array<slot_desc, 2> slots() {
    slot_desc w{.offset = 0, .rank = 1, .rows = C, .cols = 1, .fan_in = C, .fan_out = C, .role = slot_role::weight};
    slot_desc b = w;
    b.offset = bias_offset;
    b.role = slot_role::bias;
    return {w, b};
  }
  static consteval std::array<slot_desc, 0> buffer_slots() { return {}; }
  /// γ = 1, β = 0 (as PyTorch).
  template <class S>
  static void init(S* p, std::uint64_t, std::size_t) {
    for (std::size_t c = 0; c < C; ++c) p[c] = S(1), p[bias_offset + c] = S(0);
  }

  template <class S>
  static void forward(const run_context<S>&, const S* p, const S* x, S* y, S* state, std::size_t batch) {
    S* xhat = state;
    S* r = state + Width * batch;
    for (std::size_t b = 0; b < batch; ++b) {
      const S* xs = x + b * Width;
      S mu[G] = {}, var[G] = {};
      for (std::size_t q = 0; q < Pixels; ++q)
        for (std::size_t c = 0; c < C; ++c) mu[c / nc] += xs[q * C + c];
      for (std::size_t grp = 0; grp < G; ++grp) mu[grp] /= S(m);
      for (std::size_t q = 0; q < Pixels; ++q)
        for (std::size_t c = 0; c < C; ++c) {
          const S d = xs[q * C + c] - mu[c / nc];
          var[c / nc] += d * d;
        }
      S inv[G];
      for (std::size_t grp = 0; grp < G; ++grp) r[b * G + grp] = inv[grp] = S(1) / std::sqrt(var[grp] / S(m) + S(Eps));
      for (std::size_t q = 0; q < Pixels; ++q)
        for (std::size_t c = 0; c < C; ++c) {
          const std::size_t i = b * Width + q * C + c;
          const S xh = (x[i] - mu[c / nc]) * inv[c / nc];
          xhat[i] = xh;
          y[i] = p[c] * xh + p[bias_offset + c];
        }
    }
  }

  template <bool DyIsPre, class PrevAct, class S>
  static void backward(const run_context<S>&, const S* p, S* g, const S*, const S*, const S* state, S* dy, S* dx,
                       const S*, S*, std::size_t batch, bool accumulate) {
    static_assert(!DyIsPre && std::is_same_v<PrevAct, identity>,
                  "a normalization layer is never fused with its neighbours' activations");
    const S* xhat = state;
    const S* r = state + Width * batch;
    if (!accumulate)
      for (std::size_t c = 0; c < C; ++c) g[c] = S(0), g[bias_offset + c] = S(0);
    for (std::size_t i = 0; i < batch * Pixels; ++i)
      for (std::size_t c = 0; c < C; ++c) {
        g[c] += dy[i * C + c] * xhat[i * C + c];
        g[bias_offset + c] += dy[i * C + c];
      }
    if (!dx) return;
    for (std::size_t b = 0; b < batch; ++b) {
      S mh[G] = {}, mhx[G] = {};
      for (std::size_t q = 0; q < Pixels; ++q)
        for (std::size_t c = 0; c < C; ++c) {
          const std::size_t i = b * Width + q * C + c;
          const S h = p[c] * dy[i];
          mh[c / nc] += h;
          mhx[c / nc] += h * xhat[i];
        }
      for (std::size_t q = 0; q < Pixels; ++q)
        for (std::size_t c = 0; c < C; ++c) {
          const std::size_t i = b * Width + q * C + c, grp = c / nc;
          dx[i] = r[b * G + grp] * (p[c] * dy[i] - mh[grp] / S(m) - xhat[i] * mhx[grp] / S(m));
        }
    }
  }
};

}  // namespace ctnn::norm::detail
