#pragma once
// spectral_norm<>: a reparametrization of dense's weight (PyTorch's torch.nn.utils.spectral_norm
// on nn.Linear, n_power_iterations = 1): W_SN = W/σ, σ ≈ σ_max(W) by power iteration with
// persistent vectors u [Out], v [In] (buffers):
//   training:   v ← Wᵀu/‖Wᵀu‖, u ← Wv/‖Wv‖ (one step per forward), then σ = uᵀ W v;
//   evaluation: σ = uᵀ W v with the stored u, v (unchanged).
// z = x W_SNᵀ + b, y = Act(z). VJP (u, v held constant, as PyTorch), with G = ∇W_SN = dzᵀ x:
//   ∇W = G/σ − (⟨G, W⟩/σ²) u vᵀ,   dx = dz W_SN.
// Names as PyTorch's state_dict: "0.bias", "0.weight_orig"; buffers "0.weight_u", "0.weight_v".
// u, v start random, as PyTorch's normalize(randn): each drawn from a standard normal and
// normalized to unit length, then 15 power iterations, as torch.nn.utils.parametrizations.
// spectral_norm runs when it is registered, so that σ ≈ σ_max(W) from the first forward on (with
// the random u, v alone, as the legacy torch.nn.utils.spectral_norm, an untrained model's predict
// divided W by a random uᵀWv: negative for about half of the seeds, near 0 for some).
// The draw happens on the layer's first forward (either mode) after the buffers were reset: a
// model's buffers are reset after its parameters are drawn and nodes have no hook into that, so
// u = 0 (the buffers' initial value, never a valid power-iteration state) marks "not drawn yet".
// The stream is seeded by the model's seed and a hash of the layer's weight_orig at that moment:
// the same seed gives the same u and v, different seeds different ones (two layers with bitwise
// equal weights start alike, and converge to the same vectors anyway). u, v loaded from a
// checkpoint are non-zero and kept as they are. That first draw is the one write to buffers in
// evaluation mode.
// Miyato et al. 2018, https://arxiv.org/abs/1802.05957.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <type_traits>
#include <fmt/format.h>
#include <ctnn/core/rng.hpp>
#include <ctnn/graph/run_context.hpp>
#include <ctnn/graph/slot.hpp>
#include <ctnn/init/concepts.hpp>
#include <ctnn/init/zeros.hpp>
#include <ctnn/kernels/dense.hpp>
#include <ctnn/layers/identity.hpp>
#include <string_view>

namespace ctnn::norm {

struct spectral_norm {
  static constexpr std::string_view name = "spectral_norm";
  static constexpr bool is_norm_policy = true;

  template <std::size_t In, std::size_t Out, class Act, class Init, std::size_t Modules>
  struct dense_node {
    using activation = Act;
    static constexpr bool is_dense = true;
    static constexpr std::size_t in = In, out = Out, modules = Modules;
    static constexpr std::size_t bias_offset = round_up_to_slot(In * Out);
    static constexpr std::size_t params = bias_offset + round_up_to_slot(Out);
    static constexpr bool saves_z = !Act::derivative_from_output;
    static constexpr std::size_t internal = saves_z ? Out : 0;
    static constexpr std::size_t grad_scratch = 0;
    static constexpr std::size_t slot_count = 2;
    // Buffers: u (Out), v (In) named; then unnamed: W_SN, ∇W_SN (In·Out each), σ, and Wv (Out).
    static constexpr std::size_t u_offset = 0, v_offset = round_up_to_slot(Out);
    static constexpr std::size_t w_offset = v_offset + round_up_to_slot(In);
    static constexpr std::size_t dw_offset = w_offset + round_up_to_slot(In * Out);
    static constexpr std::size_t sigma_offset = dw_offset + round_up_to_slot(In * Out);
    static constexpr std::size_t wv_offset = sigma_offset + slot_alignment;
    static constexpr std::size_t buffers = wv_offset + round_up_to_slot(Out), buffer_slot_count = 2;
    static constexpr std::size_t flops_per_sample = 2 * In * Out;
    static std::string describe() {
      return fmt::format("dense<{}> (spectral-normalized Linear {}→{}{}{})", Out, In, Out, Modules == 2 ? " + " : "",
                         Modules == 2 ? Act::torch_name : "");
    }

    static consteval std::array<slot_desc, 2> slots() {
      slot_desc b{.offset = bias_offset, .rank = 1, .rows = Out, .cols = 1, .fan_in = In, .fan_out = Out,
                  .role = slot_role::bias};
      slot_desc w{.offset = 0, .rank = 2, .rows = Out, .cols = In, .fan_in = In, .fan_out = Out,
                  .role = slot_role::weight};
      w.leaf = "weight_orig";
      return {b, w};
    }
    static consteval std::array<slot_desc, 2> buffer_slots() {
      slot_desc u{.offset = u_offset, .rank = 1, .rows = Out, .cols = 1, .role = slot_role::buffer};
      u.leaf = "weight_u";  // initial 0: "not drawn yet" (see the file comment)
      slot_desc v{.offset = v_offset, .rank = 1, .rows = In, .cols = 1, .role = slot_role::buffer};
      v.leaf = "weight_v";
      return {u, v};
    }

    template <class S>
    static void init(S* p, std::uint64_t seed, std::size_t slot_base) {
      rng gw(seed, slot_base + 1);
      if constexpr (InitPolicy<Init>) Init::fill(std::span<S>(p, In * Out), init::fans{In, Out}, gw);
      rng gb(seed, slot_base);
      if constexpr (requires(std::span<S> bb, init::fans f, rng& r) { Init::fill_bias(bb, f, r); })
        Init::fill_bias(std::span<S>(p + bias_offset, Out), init::fans{In, Out}, gb);
      else
        init::zeros::fill(std::span<S>(p + bias_offset, Out), init::fans{In, Out}, gb);
    }

    template <class S>
    static const S* activation_saved(const S* y, const S* internal_state) {
      if constexpr (saves_z) return internal_state;
      else return y;
    }

    /// Power iterations applied to the start (see the file comment).
    static constexpr int start_iterations = 15;

    /// The start of the power iteration: u, v = normalize(randn) from a stream seeded by the model's
    /// seed and W's bits, then start_iterations steps v ← normalize(Wᵀu), u ← normalize(Wv).
    template <class S>
    static void draw_start(const S* p, S* u, S* v, std::uint64_t seed) {
      std::uint64_t h = 0xcbf29ce484222325ull ^ seed;  // FNV-1a over W's bytes
      const auto* bytes = reinterpret_cast<const unsigned char*>(p);
      for (std::size_t k = 0; k < In * Out * sizeof(S); ++k) h = (h ^ bytes[k]) * 0x100000001b3ull;
      rng g(h, 0);
      auto fill_unit = [&](S* a, std::size_t n) {
        double s = 0;
        for (std::size_t k = 0; k < n; ++k) {
          const double d = g.normal();
          a[k] = static_cast<S>(d);
          s += double(a[k]) * double(a[k]);
        }
        const double r = 1.0 / std::max(std::sqrt(s), 1e-12);
        for (std::size_t k = 0; k < n; ++k) a[k] = static_cast<S>(a[k] * r);
      };
      fill_unit(u, Out);
      fill_unit(v, In);
      auto normalize = [](S* a, std::size_t n) {
        double s = 0;
        for (std::size_t k = 0; k < n; ++k) s += double(a[k]) * double(a[k]);
        const double r = 1.0 / std::max(std::sqrt(s), 1e-12);
        for (std::size_t k = 0; k < n; ++k) a[k] = static_cast<S>(a[k] * r);
      };
      for (int it = 0; it < start_iterations; ++it) {
        for (std::size_t i = 0; i < In; ++i) {
          double s = 0;
          for (std::size_t o = 0; o < Out; ++o) s += double(p[o * In + i]) * double(u[o]);
          v[i] = static_cast<S>(s);
        }
        normalize(v, In);
        for (std::size_t o = 0; o < Out; ++o) {
          double s = 0;
          for (std::size_t i = 0; i < In; ++i) s += double(p[o * In + i]) * double(v[i]);
          u[o] = static_cast<S>(s);
        }
        normalize(u, Out);
      }
    }

    template <class S>
    static void forward(const run_context<S>& ctx, const S* p, const S* x, S* y, S* internal_state,
                        std::size_t batch) {
      S* u = ctx.buffers + u_offset;
      S* v = ctx.buffers + v_offset;
      S* wv = ctx.buffers + wv_offset;
      if (std::all_of(u, u + Out, [](S a) { return a == S(0); })) draw_start(p, u, v, ctx.seed);
      if (ctx.training()) {
        S n = 0;
        for (std::size_t i = 0; i < In; ++i) {
          S s = 0;
          for (std::size_t o = 0; o < Out; ++o) s += p[o * In + i] * u[o];
          v[i] = s;
          n += s * s;
        }
        n = std::max(std::sqrt(n), S(1e-12));  // PyTorch's normalize eps
        for (std::size_t i = 0; i < In; ++i) v[i] /= n;
      }
      S n = 0;
      for (std::size_t o = 0; o < Out; ++o) {
        S s = 0;
        for (std::size_t i = 0; i < In; ++i) s += p[o * In + i] * v[i];
        wv[o] = s;
        n += s * s;
      }
      if (ctx.training()) {
        n = std::max(std::sqrt(n), S(1e-12));
        for (std::size_t o = 0; o < Out; ++o) u[o] = wv[o] / n;
      }
      S sigma = 0;
      for (std::size_t o = 0; o < Out; ++o) sigma += u[o] * wv[o];
      ctx.buffers[sigma_offset] = sigma;
      S* w = ctx.buffers + w_offset;
      for (std::size_t k = 0; k < In * Out; ++k) w[k] = p[k] / sigma;
      kernels::dense_forward<In, Out, Act>(x, batch, w, p + bias_offset, y, saves_z ? internal_state : nullptr,
                                           ctx.ws);
    }

    template <bool DyIsPre, class PrevAct, class S>
    static void backward(const run_context<S>& ctx, const S* p, S* g, const S* x, const S* y,
                         const S* internal_state, S* dy, S* dx, const S* prev_saved, S*, std::size_t batch,
                         bool accumulate) {
      if constexpr (!DyIsPre && !std::is_same_v<Act, identity>)
        kernels::activation_backward<Act>(dy, activation_saved(y, internal_state), dy, batch * Out);
      const S* u = ctx.buffers + u_offset;
      const S* v = ctx.buffers + v_offset;
      const S* w = ctx.buffers + w_offset;
      S* dw = ctx.buffers + dw_offset;
      const S sigma = ctx.buffers[sigma_offset];
      if (accumulate) std::fill_n(dw, In * Out, S(0));  // dw gets 0 + G, db gets db + Σ dz
      kernels::dense_backward_weights<In, Out>(dy, x, batch, dw, g + bias_offset, accumulate, ctx.ws);
      S gw = 0;
      for (std::size_t k = 0; k < In * Out; ++k) gw += dw[k] * p[k];
      const S c = gw / (sigma * sigma);
      for (std::size_t o = 0; o < Out; ++o)
        for (std::size_t i = 0; i < In; ++i) {
          const S d = dw[o * In + i] / sigma - c * u[o] * v[i];
          g[o * In + i] = accumulate ? g[o * In + i] + d : d;
        }
      if (dx) kernels::dense_backward_input<In, Out, PrevAct>(dy, batch, w, prev_saved, dx, ctx.ws);
    }
  };
};

}  // namespace ctnn::norm
