#pragma once
// dense_node: dense<Out, Init, Norm> bound to its input width In, with the activation Act that
// follows it fused in (identity when none does). Modules is 2 when an activation module was
// written after the dense layer (it takes a PyTorch module index of its own), else 1.
//
// Forward:  z = x Wᵀ + b, y = Act(z)            (one fused kernel; z kept only if Act needs it)
// Backward: dz = dy ⊙ Act'(·)  (skipped when the next layer already fused it: DyIsPre)
//           dW = dzᵀ x, db = Σ dz, dx = (dz W) ⊙ PrevAct'(·)   (PrevAct: the previous layer's
//           activation, fused here so its layer receives dz directly)
#include <array>
#include <cstddef>
#include <span>
#include <type_traits>
#include <string>
#include <fmt/format.h>
#include <ctnn/graph/run_context.hpp>
#include <ctnn/graph/slot.hpp>
#include <ctnn/init/concepts.hpp>
#include <ctnn/init/zeros.hpp>
#include <ctnn/norm/concepts.hpp>
#include <ctnn/kernels/dense.hpp>
#include <ctnn/layers/identity.hpp>
#include <ctnn/norm/none.hpp>

namespace ctnn::detail {

template <std::size_t In, std::size_t Out, class Act, class Init, class Norm, std::size_t Modules>
struct dense_node {
  // A Norm policy other than norm::none never reaches this node: graph/compile.hpp writes
  // dense<Out, Init, Norm> out as dense<Out, Init> followed by the norm layer.
  using activation = Act;
  static constexpr bool is_dense = true;
  /// A layer with a weight at offset 0 (weight_size elements) and a bias at bias_offset: what
  /// whole-network init passes (Fixup, LSUV) look for. Convolution nodes say the same.
  static constexpr bool has_weight = true;
  static constexpr std::size_t weight_size = In * Out;
  static constexpr std::size_t in = In, out = Out, modules = Modules;
  static constexpr std::size_t bias_offset = round_up_to_slot(In * Out);
  static constexpr std::size_t params = bias_offset + round_up_to_slot(Out);
  static constexpr bool saves_z = !Act::derivative_from_output;
  static constexpr std::size_t internal = saves_z ? Out : 0;  // per sample
  static constexpr std::size_t grad_scratch = 0;
  static constexpr std::size_t slot_count = 2;
  static constexpr std::size_t buffers = 0, buffer_slot_count = 0;
  static consteval std::array<slot_desc, 0> buffer_slots() { return {}; }
  static constexpr std::size_t flops_per_sample = 2 * In * Out;
  static std::string describe() {
    return fmt::format("dense<{}> (Linear {}→{}{}{})", Out, In, Out, Modules == 2 ? " + " : "",
                       Modules == 2 ? Act::torch_name : "");
  }

  static consteval std::array<slot_desc, 2> slots() {
    slot_desc w{.offset = 0, .rank = 2, .rows = Out, .cols = In, .fan_in = In, .fan_out = Out,
                .role = slot_role::weight};
    slot_desc b{.offset = bias_offset, .rank = 1, .rows = Out, .cols = 1, .fan_in = In,
                .fan_out = Out, .role = slot_role::bias};
    return {w, b};
  }

  template <class S>
  static void init(S* p, std::uint64_t seed, std::size_t slot_base) {
    rng gw(seed, slot_base);
    if constexpr (InitPolicy<Init>)  // else dense<> has already reported it
      Init::fill(std::span<S>(p, In * Out), init::fans{In, Out}, gw);
    rng gb(seed, slot_base + 1);
    if constexpr (requires(std::span<S> b, init::fans f, rng& r) { Init::fill_bias(b, f, r); })
      Init::fill_bias(std::span<S>(p + bias_offset, Out), init::fans{In, Out}, gb);
    else
      init::zeros::fill(std::span<S>(p + bias_offset, Out), init::fans{In, Out}, gb);
  }

  /// The value Act::derivative reads: the output y, or the saved pre-activation z.
  template <class S>
  static const S* activation_saved(const S* y, const S* internal_state) {
    if constexpr (saves_z) return internal_state;
    else return y;
  }

  template <class S>
  static void forward(const run_context<S>& ctx, const S* p, const S* x, S* y, S* internal_state,
                      std::size_t batch) {
    kernels::dense_forward<In, Out, Act>(x, batch, p, p + bias_offset, y,
                                         saves_z ? internal_state : nullptr, ctx.ws);
  }

  template <bool DyIsPre, class PrevAct, class S>
  static void backward(const run_context<S>& ctx, const S* p, S* g, const S* x, const S* y,
                       const S* internal_state, S* dy, S* dx, const S* prev_saved, S* /*scratch*/,
                       std::size_t batch, bool accumulate) {
    if constexpr (!DyIsPre && !std::is_same_v<Act, identity>)
      kernels::activation_backward<Act>(dy, activation_saved(y, internal_state), dy, batch * Out);
    kernels::dense_backward_weights<In, Out, true>(dy, x, batch, g, g + bias_offset, accumulate, ctx.ws);
    if (dx) kernels::dense_backward_input<In, Out, PrevAct>(dy, batch, p, prev_saved, dx, ctx.ws);
  }
};

}  // namespace ctnn::detail
