#pragma once
// weight_norm<>: a reparametrization of dense's weight (PyTorch's torch.nn.utils.weight_norm on
// nn.Linear, dim = 0): per output unit o,
//   w_o = g_o v_o/‖v_o‖,  z = x wᵀ + b,  y = Act(z)          v: [Out, In], g: [Out, 1], b: [Out]
// VJP, from ∇w = dzᵀ x (the plain dense weight gradient):
//   ∇g_o = ∇w_o · v_o/‖v_o‖,   ∇v_o = (g_o/‖v_o‖)(∇w_o − ∇g_o v_o/‖v_o‖)  (= (g/‖v‖)(I − wwᵀ/‖w‖²)∇w)
//   dx = dz w.  Init: v from the layer's init policy, g_o = ‖v_o‖ (so w = v at init, as PyTorch).
// Names as PyTorch's state_dict: "0.bias", "0.weight_g", "0.weight_v". w and ∇w are recomputed
// per step into an unnamed part of the buffer arena (not state: nothing to save or load).
// Salimans & Kingma 2016, https://arxiv.org/abs/1602.07868.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
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

struct weight_norm {
  static constexpr std::string_view name = "weight_norm";
  static constexpr bool is_norm_policy = true;

  template <std::size_t In, std::size_t Out, class Act, class Init, std::size_t Modules>
  struct dense_node {
    using activation = Act;
    static constexpr bool is_dense = true;
    static constexpr std::size_t in = In, out = Out, modules = Modules;
    static constexpr std::size_t g_offset = round_up_to_slot(In * Out);
    static constexpr std::size_t bias_offset = g_offset + round_up_to_slot(Out);
    static constexpr std::size_t params = bias_offset + round_up_to_slot(Out);
    static constexpr bool saves_z = !Act::derivative_from_output;
    static constexpr std::size_t internal = saves_z ? Out : 0;
    static constexpr std::size_t grad_scratch = 0;
    static constexpr std::size_t slot_count = 3;
    // Unnamed buffers: w, ∇w (In·Out each), ‖v_o‖ (Out).
    static constexpr std::size_t dw_offset = round_up_to_slot(In * Out), norm_offset = 2 * dw_offset;
    static constexpr std::size_t buffers = norm_offset + round_up_to_slot(Out), buffer_slot_count = 0;
    static constexpr std::size_t flops_per_sample = 2 * In * Out;
    static std::string describe() {
      return fmt::format("dense<{}> (weight-normalized Linear {}→{}{}{})", Out, In, Out, Modules == 2 ? " + " : "",
                         Modules == 2 ? Act::torch_name : "");
    }

    static consteval std::array<slot_desc, 3> slots() {
      slot_desc b{.offset = bias_offset, .rank = 1, .rows = Out, .cols = 1, .fan_in = In, .fan_out = Out,
                  .role = slot_role::bias};
      slot_desc g{.offset = g_offset, .rank = 2, .rows = Out, .cols = 1, .fan_in = In, .fan_out = Out,
                  .role = slot_role::weight};
      g.leaf = "weight_g";
      slot_desc v{.offset = 0, .rank = 2, .rows = Out, .cols = In, .fan_in = In, .fan_out = Out,
                  .role = slot_role::weight};
      v.leaf = "weight_v";
      return {b, g, v};
    }
    static consteval std::array<slot_desc, 0> buffer_slots() { return {}; }

    template <class S>
    static void init(S* p, std::uint64_t seed, std::size_t slot_base) {
      rng gv(seed, slot_base + 2);
      if constexpr (InitPolicy<Init>) Init::fill(std::span<S>(p, In * Out), init::fans{In, Out}, gv);
      for (std::size_t o = 0; o < Out; ++o) {
        S s = 0;
        for (std::size_t i = 0; i < In; ++i) s += p[o * In + i] * p[o * In + i];
        p[g_offset + o] = std::sqrt(s);
      }
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

    template <class S>
    static void forward(const run_context<S>& ctx, const S* p, const S* x, S* y, S* internal_state,
                        std::size_t batch) {
      S* w = ctx.buffers;
      S* norms = ctx.buffers + norm_offset;
      for (std::size_t o = 0; o < Out; ++o) {
        S s = 0;
        for (std::size_t i = 0; i < In; ++i) s += p[o * In + i] * p[o * In + i];
        norms[o] = std::sqrt(s);
        const S scale = p[g_offset + o] / norms[o];
        for (std::size_t i = 0; i < In; ++i) w[o * In + i] = scale * p[o * In + i];
      }
      kernels::dense_forward<In, Out, Act>(x, batch, w, p + bias_offset, y, saves_z ? internal_state : nullptr,
                                           ctx.ws);
    }

    template <bool DyIsPre, class PrevAct, class S>
    static void backward(const run_context<S>& ctx, const S* p, S* g, const S* x, const S* y,
                         const S* internal_state, S* dy, S* dx, const S* prev_saved, S*, std::size_t batch,
                         bool accumulate) {
      if constexpr (!DyIsPre && !std::is_same_v<Act, identity>)
        kernels::activation_backward<Act>(dy, activation_saved(y, internal_state), dy, batch * Out);
      const S* w = ctx.buffers;
      S* dw = ctx.buffers + dw_offset;
      const S* norms = ctx.buffers + norm_offset;
      if (accumulate) std::fill_n(dw, In * Out, S(0));  // dw gets 0 + ∇w, db gets db + Σ dz
      kernels::dense_backward_weights<In, Out>(dy, x, batch, dw, g + bias_offset, accumulate, ctx.ws);
      for (std::size_t o = 0; o < Out; ++o) {
        const S* v = p + o * In;
        const S inv = S(1) / norms[o];
        S dg = 0;
        for (std::size_t i = 0; i < In; ++i) dg += dw[o * In + i] * v[i];
        dg *= inv;
        const S scale = p[g_offset + o] * inv;
        for (std::size_t i = 0; i < In; ++i) {
          const S dv = scale * (dw[o * In + i] - dg * v[i] * inv);
          g[o * In + i] = accumulate ? g[o * In + i] + dv : dv;
        }
        g[g_offset + o] = accumulate ? g[g_offset + o] + dg : dg;
      }
      if (dx) kernels::dense_backward_input<In, Out, PrevAct>(dy, batch, w, prev_saved, dx, ctx.ws);
    }
  };
};

}  // namespace ctnn::norm
