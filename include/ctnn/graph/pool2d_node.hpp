#pragma once
// pool2d_node: max_pool2d / avg_pool2d bound to its input image shape In (NHWC); no parameters.
// Max pooling keeps, per output value, the in-sample index of the input that won (forward
// state), and backward sends the gradient there. See kernels/pool2d.hpp for the math.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <fmt/format.h>
#include <ctnn/graph/feature_shape.hpp>
#include <ctnn/graph/run_context.hpp>
#include <ctnn/graph/slot.hpp>
#include <ctnn/kernels/conv_geometry.hpp>
#include <ctnn/kernels/pool2d.hpp>

namespace ctnn::detail {

enum class pool_kind { max, average };

template <pool_kind Kind, feature_shape In, std::size_t K, std::size_t Stride, std::size_t Padding>
struct pool2d_node {
  using geometry = kernels::conv_geometry<In.c, In.h, In.w, K, Stride, Padding>;
  static constexpr bool is_dense = false;
  static constexpr feature_shape out_shape{In.c, geometry::out_h, geometry::out_w};
  static constexpr std::size_t in = In.size(), out = out_shape.size(), modules = 1;
  static constexpr std::size_t params = 0, slot_count = 0, grad_scratch = 0;
  static constexpr std::size_t buffers = 0, buffer_slot_count = 0;
  // Max: one 32-bit index per output value, stored in the (S-typed) state: out values of 4 bytes
  // need out/2 doubles or out floats; out is enough either way.
  static constexpr std::size_t internal = Kind == pool_kind::max ? out : 0;
  static constexpr std::size_t flops_per_sample = 0;
  static std::string describe() {
    return fmt::format("{}<{}, {}, {}> ({}Pool2d on {}×{}×{})", Kind == pool_kind::max ? "max_pool2d" : "avg_pool2d", K,
                       Stride, Padding, Kind == pool_kind::max ? "Max" : "Avg", In.c, In.h, In.w);
  }
  static consteval std::array<slot_desc, 0> slots() { return {}; }
  static consteval std::array<slot_desc, 0> buffer_slots() { return {}; }
  template <class S> static void init(S*, std::uint64_t, std::size_t) {}

  template <class S>
  static void forward(const run_context<S>&, const S*, const S* x, S* y, S* state, std::size_t batch) {
    if constexpr (Kind == pool_kind::max)
      kernels::max_pool2d_forward<geometry>(x, batch, y, reinterpret_cast<std::uint32_t*>(state));
    else
      kernels::avg_pool2d_forward<geometry>(x, batch, y);
  }
  template <bool DyIsPre, class PrevAct, class S>
  static void backward(const run_context<S>&, const S*, S*, const S*, const S*, const S* state, S* dy, S* dx,
                       const S*, S*, std::size_t batch, bool) {
    static_assert(!DyIsPre, "a pooling layer never receives a pre-activation gradient");
    if (!dx) return;
    if constexpr (Kind == pool_kind::max)
      kernels::max_pool2d_backward<geometry>(dy, reinterpret_cast<const std::uint32_t*>(state), batch, dx);
    else
      kernels::avg_pool2d_backward<geometry>(dy, batch, dx);
  }
};

/// global_avg_pool bound to an image C×H×W: out is a feature vector of C.
template <feature_shape In>
struct global_avg_pool_node {
  static constexpr bool is_dense = false;
  static constexpr feature_shape out_shape{In.c, 1, 1};
  static constexpr std::size_t in = In.size(), out = In.c, modules = 1;
  static constexpr std::size_t params = 0, slot_count = 0, grad_scratch = 0, internal = 0;
  static constexpr std::size_t buffers = 0, buffer_slot_count = 0;
  static constexpr std::size_t flops_per_sample = 0;
  static std::string describe() { return fmt::format("global_avg_pool (AdaptiveAvgPool2d(1) + Flatten on {}×{}×{})", In.c, In.h, In.w); }
  static consteval std::array<slot_desc, 0> slots() { return {}; }
  static consteval std::array<slot_desc, 0> buffer_slots() { return {}; }
  template <class S> static void init(S*, std::uint64_t, std::size_t) {}
  template <class S>
  static void forward(const run_context<S>&, const S*, const S* x, S* y, S*, std::size_t batch) {
    kernels::global_avg_pool_forward<In.c, In.h * In.w>(x, batch, y);
  }
  template <bool DyIsPre, class PrevAct, class S>
  static void backward(const run_context<S>&, const S*, S*, const S*, const S*, const S*, S* dy, S* dx, const S*,
                       S*, std::size_t batch, bool) {
    static_assert(!DyIsPre, "a pooling layer never receives a pre-activation gradient");
    if (dx) kernels::global_avg_pool_backward<In.c, In.h * In.w>(dy, batch, dx);
  }
};

}  // namespace ctnn::detail
