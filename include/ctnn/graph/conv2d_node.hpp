#pragma once
// conv2d_node: conv2d<Out, K, Stride, Padding, Init> bound to its input image shape In (NHWC),
// with the activation Act that follows it fused in (identity when none does). Modules is 2 when
// an activation module was written after it (it takes a PyTorch module index of its own).
//
// Forward:  z = conv(x, W) + b, y = Act(z)   (im2col + GEMM, bias and activation in the epilogue)
// Backward: dz = dy ⊙ Act'(·) (skipped when DyIsPre), dW = Σ dzᵀ·col(x), db = Σ dz,
//           dx = col2im(dz·W).
// Slots: weight [Out, C, K, K] (PyTorch's Conv2d layout; fan_in = C·K², fan_out = Out·K²), bias [Out].
#include <array>
#include <cstddef>
#include <span>
#include <string>
#include <type_traits>
#include <fmt/format.h>
#include <ctnn/graph/feature_shape.hpp>
#include <ctnn/graph/run_context.hpp>
#include <ctnn/graph/slot.hpp>
#include <ctnn/init/concepts.hpp>
#include <ctnn/init/zeros.hpp>
#include <ctnn/kernels/activation.hpp>
#include <ctnn/kernels/conv2d.hpp>
#include <ctnn/layers/identity.hpp>

namespace ctnn::detail {

template <feature_shape In, std::size_t Out, std::size_t K, std::size_t Stride, std::size_t Padding, class Act,
          class Init, std::size_t Modules>
struct conv2d_node {
  using geometry = kernels::conv_geometry<In.c, In.h, In.w, K, Stride, Padding>;
  using activation = Act;
  static constexpr bool is_dense = false;
  static constexpr bool has_weight = true;  // weight at 0, bias at bias_offset (see dense_node)
  static constexpr std::size_t weight_size = Out * geometry::patch;
  static constexpr feature_shape out_shape{Out, geometry::out_h, geometry::out_w};
  static constexpr std::size_t in = In.size(), out = out_shape.size(), modules = Modules;
  static constexpr std::size_t bias_offset = round_up_to_slot(weight_size);
  static constexpr std::size_t params = bias_offset + round_up_to_slot(Out);
  static constexpr bool saves_z = !Act::derivative_from_output;
  static constexpr std::size_t internal = saves_z ? out : 0;  // per sample
  static constexpr std::size_t grad_scratch = 0;
  static constexpr std::size_t slot_count = 2;
  static constexpr std::size_t buffers = 0, buffer_slot_count = 0;
  static consteval std::array<slot_desc, 0> buffer_slots() { return {}; }
  static constexpr std::size_t flops_per_sample = 2 * geometry::pixels * geometry::patch * Out;
  static constexpr init::fans fans{.fan_in = geometry::patch, .fan_out = Out * K * K, .receptive = K * K};

  static std::string describe() {
    return fmt::format("conv2d<{}, {}, {}, {}> (Conv2d {}→{} on {}×{}{}{})", Out, K, Stride, Padding, In.c, Out, In.h,
                       In.w, Modules == 2 ? " + " : "", Modules == 2 ? Act::torch_name : "");
  }

  static consteval std::array<slot_desc, 2> slots() {
    slot_desc w{.offset = 0, .rank = 4, .rows = Out, .cols = geometry::patch, .kernel_h = K, .kernel_w = K,
                .fan_in = fans.fan_in, .fan_out = fans.fan_out, .role = slot_role::weight};
    slot_desc b{.offset = bias_offset, .rank = 1, .rows = Out, .cols = 1, .fan_in = fans.fan_in,
                .fan_out = fans.fan_out, .role = slot_role::bias};
    return {w, b};
  }

  template <class S>
  static void init(S* p, std::uint64_t seed, std::size_t slot_base) {
    rng gw(seed, slot_base);
    if constexpr (InitPolicy<Init>)  // else conv2d<> has already reported it
      Init::fill(std::span<S>(p, weight_size), fans, gw);
    rng gb(seed, slot_base + 1);
    if constexpr (requires(std::span<S> b, init::fans f, rng& r) { Init::fill_bias(b, f, r); })
      Init::fill_bias(std::span<S>(p + bias_offset, Out), fans, gb);
    else
      init::zeros::fill(std::span<S>(p + bias_offset, Out), fans, gb);
  }

  template <class S>
  static const S* activation_saved(const S* y, const S* internal_state) {
    if constexpr (saves_z) return internal_state;
    else return y;
  }

  template <class S>
  static void forward(const run_context<S>& ctx, const S* p, const S* x, S* y, S* internal_state, std::size_t batch) {
    kernels::conv2d_forward<geometry, Out, Act>(x, batch, p, p + bias_offset, y, saves_z ? internal_state : nullptr,
                                                ctx.ws);
  }

  template <bool DyIsPre, class PrevAct, class S>
  static void backward(const run_context<S>& ctx, const S* p, S* g, const S* x, const S* y, const S* internal_state,
                       S* dy, S* dx, const S*, S*, std::size_t batch, bool accumulate) {
    static_assert(std::is_same_v<PrevAct, identity>, "conv2d_node: a previous activation is never fused into it");
    if constexpr (!DyIsPre && !std::is_same_v<Act, identity>)
      kernels::activation_backward<Act>(dy, activation_saved(y, internal_state), dy, batch * out);
    kernels::conv2d_backward_weights<geometry, Out>(dy, x, batch, g, g + bias_offset, accumulate, ctx.ws);
    if (dx) kernels::conv2d_backward_input<geometry, Out>(dy, batch, p, dx, ctx.ws);
  }
};

}  // namespace ctnn::detail
