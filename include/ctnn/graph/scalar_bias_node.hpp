#pragma once
// scalar_bias_node<Width>: y = x + b with ONE learnable scalar b shared by all features.
// Backward: ∂ℓ/∂b = Σ_{batch, features} dy, dx = dy.
// Parameter: "<i>.bias", shape [1] (as a custom PyTorch module with
// `self.bias = nn.Parameter(torch.zeros(1))`), init 0; role bias (not weight-decayed).
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
struct scalar_bias_node {
  static constexpr bool is_dense = false;
  /// What init::apply_fixup looks for (it keeps b = 0 at init).
  static constexpr bool is_scalar_bias = true;
  static constexpr std::size_t in = Width, out = Width, modules = 1;
  static constexpr std::size_t params = round_up_to_slot(1), slot_count = 1;
  static constexpr std::size_t internal = 0, grad_scratch = 0;
  static constexpr std::size_t buffers = 0, buffer_slot_count = 0;
  static constexpr std::size_t flops_per_sample = 0;
  static std::string describe() { return fmt::format("scalar_bias ({} features, 1 parameter)", Width); }

  static consteval std::array<slot_desc, 1> slots() {
    return {slot_desc{.offset = 0, .rank = 1, .rows = 1, .cols = 1, .fan_in = 1, .fan_out = 1,
                      .role = slot_role::bias}};
  }
  static consteval std::array<slot_desc, 0> buffer_slots() { return {}; }

  template <class S>
  static void init(S* p, std::uint64_t, std::size_t) {
    p[0] = S(0);
  }

  template <class S>
  static void forward(const run_context<S>&, const S* p, const S* x, S* y, S*, std::size_t batch) {
    const S b = p[0];
    for (std::size_t i = 0; i < batch * Width; ++i) y[i] = x[i] + b;
  }

  template <bool DyIsPre, class PrevAct, class S>
  static void backward(const run_context<S>&, const S*, S* g, const S*, const S*, const S*, S* dy, S* dx,
                       const S*, S*, std::size_t batch, bool accumulate) {
    static_assert(!DyIsPre && std::is_same_v<PrevAct, identity>,
                  "scalar_bias is never fused with its neighbours' activations");
    double s = 0;  // in double: batch × Width terms
    for (std::size_t i = 0; i < batch * Width; ++i) s += double(dy[i]);
    g[0] = (accumulate ? g[0] : S(0)) + static_cast<S>(s);
    if (dx) std::copy(dy, dy + batch * Width, dx);
  }
};

}  // namespace ctnn::detail
