#pragma once
// scalar_scale_node<Width>: y = s·x with ONE learnable scalar s shared by all features.
// Backward: ∂ℓ/∂s = Σ_{batch, features} dy ⊙ x, dx = s·dy.
// Parameter: "<i>.scale", shape [1] (as a custom PyTorch module with
// `self.scale = nn.Parameter(torch.ones(1))`, the name Fixup's reference code uses), init 1;
// role weight of rank 1, so the per-slot optimizers do not weight-decay it (like a norm's γ).
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>
#include <fmt/format.h>
#include <ctnn/graph/run_context.hpp>
#include <ctnn/graph/slot.hpp>
#include <ctnn/layers/identity.hpp>

namespace ctnn::detail {

template <std::size_t Width>
struct scalar_scale_node {
  static constexpr bool is_dense = false;
  /// What init::apply_fixup looks for (it keeps s = 1 at init).
  static constexpr bool is_scalar_scale = true;
  static constexpr std::size_t in = Width, out = Width, modules = 1;
  static constexpr std::size_t params = round_up_to_slot(1), slot_count = 1;
  static constexpr std::size_t internal = 0, grad_scratch = 0;
  static constexpr std::size_t buffers = 0, buffer_slot_count = 0;
  static constexpr std::size_t flops_per_sample = 0;
  static std::string describe() { return fmt::format("scalar_scale ({} features, 1 parameter)", Width); }

  static consteval std::array<slot_desc, 1> slots() {
    slot_desc s{.offset = 0, .rank = 1, .rows = 1, .cols = 1, .fan_in = 1, .fan_out = 1,
                .role = slot_role::weight};
    s.leaf = "scale";
    return {s};
  }
  static consteval std::array<slot_desc, 0> buffer_slots() { return {}; }

  template <class S>
  static void init(S* p, std::uint64_t, std::size_t) {
    p[0] = S(1);
  }

  template <class S>
  static void forward(const run_context<S>&, const S* p, const S* x, S* y, S*, std::size_t batch) {
    const S s = p[0];
    for (std::size_t i = 0; i < batch * Width; ++i) y[i] = s * x[i];
  }

  template <bool DyIsPre, class PrevAct, class S>
  static void backward(const run_context<S>&, const S* p, S* g, const S* x, const S*, const S*, S* dy, S* dx,
                       const S*, S*, std::size_t batch, bool accumulate) {
    static_assert(!DyIsPre && std::is_same_v<PrevAct, identity>,
                  "scalar_scale is never fused with its neighbours' activations");
    double s = 0;  // in double: batch × Width terms
    for (std::size_t i = 0; i < batch * Width; ++i) s += double(dy[i]) * double(x[i]);
    g[0] = (accumulate ? g[0] : S(0)) + static_cast<S>(s);
    if (dx) {
      const S k = p[0];
      for (std::size_t i = 0; i < batch * Width; ++i) dx[i] = k * dy[i];
    }
  }
};

}  // namespace ctnn::detail
