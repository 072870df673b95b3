#pragma once
// flatten_node: flatten over feature vectors: y = x, dx = dy.
#include <algorithm>
#include <array>
#include <cstddef>
#include <string>
#include <ctnn/graph/run_context.hpp>
#include <ctnn/graph/slot.hpp>
#include <ctnn/kernels/dense.hpp>

namespace ctnn::detail {

template <std::size_t Width>
struct flatten_node {
  static constexpr bool is_dense = false;
  static constexpr std::size_t in = Width, out = Width, modules = 1;
  static constexpr std::size_t params = 0, internal = 0, grad_scratch = 0, slot_count = 0;
  static constexpr std::size_t flops_per_sample = 0;
  static std::string describe() { return "flatten"; }
  static consteval std::array<slot_desc, 0> slots() { return {}; }
  static constexpr std::size_t buffers = 0, buffer_slot_count = 0;
  static consteval std::array<slot_desc, 0> buffer_slots() { return {}; }
  template <class S> static void init(S*, std::uint64_t, std::size_t) {}

  template <class S>
  static void forward(const run_context<S>&, const S*, const S* x, S* y, S*, std::size_t batch) {
    std::copy(x, x + batch * Width, y);
  }
  template <bool DyIsPre, class PrevAct, class S>
  static void backward(const run_context<S>&, const S*, S*, const S*, const S*, const S*, S* dy,
                       S* dx, const S*, S*, std::size_t batch, bool) {
    if (dx) std::copy(dy, dy + batch * Width, dx);
  }
};

}  // namespace ctnn::detail
