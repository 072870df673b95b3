#pragma once
// projected_residual_node<In, Out, Body, Shortcut>: y = s(x) + f(x), f = Body and s = Shortcut
// (both chain_nodes from the same input; the shortcut is the projection that matches the body's
// output shape, e.g. a strided 1×1 conv2d and a batch_norm, as ResNet's downsample).
// Backward: dx = J_fᵀ dy + J_sᵀ dy.
// Names: the block is module i; its body layers are i.0, i.1, ...; the shortcut's layers follow
// them (i.B, i.B+1, ... with B the body's module count).
#include <algorithm>
#include <array>
#include <cstddef>
#include <string>
#include <ctnn/graph/run_context.hpp>
#include <ctnn/graph/slot.hpp>
#include <ctnn/kernels/add.hpp>
#include <ctnn/layers/identity.hpp>

namespace ctnn::detail {

template <std::size_t In, std::size_t Out, class Body, class Shortcut>
struct projected_residual_node {
  using body_type = Body;
  using shortcut_type = Shortcut;
  static constexpr bool is_dense = false;
  static constexpr std::size_t in = In, out = Out, modules = 1;
  static constexpr std::size_t params = Body::params + Shortcut::params;
  static constexpr std::size_t slot_count = Body::slot_count + Shortcut::slot_count;
  static constexpr std::size_t buffers = Body::buffers + Shortcut::buffers;
  static constexpr std::size_t buffer_slot_count = Body::buffer_slot_count + Shortcut::buffer_slot_count;
  // Per sample: f(x), the body's state, s(x), the shortcut's state.
  static constexpr std::size_t internal = 2 * Out + Body::internal + Shortcut::internal;
  // Per sample: a copy of dy, the shortcut's dx, then the larger of the two scratches.
  static constexpr std::size_t grad_scratch = Out + In + std::max(Body::grad_scratch, Shortcut::grad_scratch);
  static constexpr std::size_t flops_per_sample = Body::flops_per_sample + Shortcut::flops_per_sample;
  static std::string describe() {
    return "residual block with projection (" + std::to_string(In) + " → " + std::to_string(Out) + " features)";
  }

  template <std::size_t N, std::size_t M>
  static consteval std::array<slot_desc, N + M> join(std::array<slot_desc, N> a, std::array<slot_desc, M> b,
                                                     std::size_t offset) {
    std::array<slot_desc, N + M> all{};
    for (std::size_t i = 0; i < N; ++i) all[i] = a[i];
    for (std::size_t i = 0; i < M; ++i) {
      slot_desc d = b[i];
      d.offset += offset;
      d.path[0] += Body::modules;  // the shortcut's module indices continue after the body's
      all[N + i] = d;
    }
    return all;
  }
  static consteval auto slots() {
    return join(Body::slots(), Shortcut::slots(), Body::params);
  }
  static consteval auto buffer_slots() {
    return join(Body::buffer_slots(),
                                                                            Shortcut::buffer_slots(), Body::buffers);
  }

  template <class S>
  static void init(S* p, std::uint64_t seed, std::size_t slot_base) {
    Body::init(p, seed, slot_base);
    Shortcut::init(p + Body::params, seed, slot_base + Body::slot_count);
  }

  template <class S>
  static void forward(const run_context<S>& ctx, const S* p, const S* x, S* y, S* state, std::size_t batch) {
    S* fx = state;
    S* body_state = fx + Out * batch;
    S* sx = body_state + Body::internal * batch;
    S* shortcut_state = sx + Out * batch;
    Body::forward(ctx, p, x, fx, body_state, batch);
    Shortcut::forward(ctx.at(Body::buffers), p + Body::params, x, sx, shortcut_state, batch);
    kernels::add(sx, fx, y, batch * Out);
  }

  template <bool DyIsPre, class PrevAct, class S>
  static void backward(const run_context<S>& ctx, const S* p, S* g, const S* x, const S*, const S* state, S* dy,
                       S* dx, const S*, S* scratch, std::size_t batch, bool accumulate) {
    static_assert(!DyIsPre, "a residual block never receives a pre-activation gradient");
    const S* fx = state;
    const S* body_state = fx + Out * batch;
    const S* sx = body_state + Body::internal * batch;
    const S* shortcut_state = sx + Out * batch;
    S* dy_copy = scratch;
    S* dx_shortcut = dy_copy + Out * batch;
    S* rest = dx_shortcut + In * batch;
    std::copy(dy, dy + batch * Out, dy_copy);
    Body::template backward<false, identity>(ctx, p, g, x, fx, body_state, dy_copy, dx, static_cast<const S*>(nullptr),
                                             rest, batch, accumulate);
    Shortcut::template backward<false, identity>(ctx.at(Body::buffers), p + Body::params, g + Body::params, x, sx,
                                                 shortcut_state, dy, dx ? dx_shortcut : nullptr,
                                                 static_cast<const S*>(nullptr), rest, batch, accumulate);
    if (dx) kernels::add(dx, dx_shortcut, dx, batch * In);
  }
};

}  // namespace ctnn::detail
