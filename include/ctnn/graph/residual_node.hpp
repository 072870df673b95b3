#pragma once
// residual_node<Width, Body>: y = x + f(x), f = Body (a chain_node over the block's layers).
// Backward: dx = dy + J_fᵀ dy. The body's output is kept apart from y (its last layer's
// activation derivative may need it), and the body works on a copy of dy (it may overwrite it).
#include <algorithm>
#include <cstddef>
#include <string>
#include <ctnn/graph/run_context.hpp>
#include <ctnn/graph/slot.hpp>
#include <ctnn/kernels/add.hpp>
#include <ctnn/kernels/dense.hpp>
#include <ctnn/layers/identity.hpp>

namespace ctnn::detail {

template <std::size_t Width, class Body>
struct residual_node {
  using body_type = Body;
  static constexpr bool is_dense = false;
  static constexpr std::size_t in = Width, out = Width, modules = 1;
  static constexpr std::size_t params = Body::params;
  static constexpr std::size_t internal = Width + Body::internal;         // f(x), body state
  static constexpr std::size_t grad_scratch = Width + Body::grad_scratch; // copy of dy, body scratch
  static constexpr std::size_t slot_count = Body::slot_count;
  static constexpr std::size_t flops_per_sample = Body::flops_per_sample;
  static std::string describe() { return "residual block (" + std::to_string(Width) + " features)"; }
  static consteval auto slots() { return Body::slots(); }
  static constexpr std::size_t buffers = Body::buffers, buffer_slot_count = Body::buffer_slot_count;
  static consteval auto buffer_slots() { return Body::buffer_slots(); }

  template <class S>
  static void init(S* p, std::uint64_t seed, std::size_t slot_base) {
    Body::init(p, seed, slot_base);
  }

  template <class S>
  static void forward(const run_context<S>& ctx, const S* p, const S* x, S* y, S* state, std::size_t batch) {
    S* fx = state;
    Body::forward(ctx, p, x, fx, state + Width * batch, batch);
    kernels::add(x, fx, y, batch * Width);
  }

  template <bool DyIsPre, class PrevAct, class S>
  static void backward(const run_context<S>& ctx, const S* p, S* g, const S* x, const S*,
                       const S* state, S* dy, S* dx, const S*, S* scratch, std::size_t batch,
                       bool accumulate) {
    static_assert(!DyIsPre, "a residual block never receives a pre-activation gradient");
    S* dy_copy = scratch;
    std::copy(dy, dy + batch * Width, dy_copy);
    Body::template backward<false, identity>(ctx, p, g, x, state, state + Width * batch, dy_copy, dx,
                                             static_cast<const S*>(nullptr), scratch + Width * batch, batch, accumulate);
    if (dx) kernels::add(dx, dy, dx, batch * Width);
  }
};

}  // namespace ctnn::detail
