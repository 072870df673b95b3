#pragma once
// activation_node: an activation that is not right after a dense layer (e.g. after a residual
// block), as a layer of its own: y = Act(x), dx = dy ⊙ Act'(y or x).
#include <array>
#include <cstddef>
#include <string>
#include <fmt/format.h>
#include <ctnn/graph/run_context.hpp>
#include <ctnn/graph/slot.hpp>
#include <ctnn/kernels/dense.hpp>

namespace ctnn::detail {

template <std::size_t Width, class Act>
struct activation_node {
  static constexpr bool is_dense = false;
  static constexpr std::size_t in = Width, out = Width, modules = 1;
  static constexpr std::size_t params = 0, internal = 0, grad_scratch = 0, slot_count = 0;
  static constexpr std::size_t flops_per_sample = 0;
  static std::string describe() { return fmt::format("{} ({} features)", Act::torch_name, Width); }
  static consteval std::array<slot_desc, 0> slots() { return {}; }
  static constexpr std::size_t buffers = 0, buffer_slot_count = 0;
  static consteval std::array<slot_desc, 0> buffer_slots() { return {}; }
  template <class S> static void init(S*, std::uint64_t, std::size_t) {}

  template <class S>
  static void forward(const run_context<S>&, const S*, const S* x, S* y, S*, std::size_t batch) {
    kernels::activation_forward<Act>(x, y, batch * Width);
  }

  template <bool DyIsPre, class PrevAct, class S>
  static void backward(const run_context<S>&, const S*, S*, const S* x, const S* y, const S*, S* dy,
                       S* dx, const S*, S*, std::size_t batch, bool) {
    static_assert(!DyIsPre, "an activation layer never receives a pre-activation gradient");
    if (!dx) return;
    kernels::activation_backward<Act>(dy, Act::derivative_from_output ? y : x, dx, batch * Width);
  }
};

}  // namespace ctnn::detail
