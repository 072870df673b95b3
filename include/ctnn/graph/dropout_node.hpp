#pragma once
// dropout_node: dropout<RatePercent> over Width values per sample. Training: mask m with
// m = 0 (probability p) or 1/(1 − p), y = x ⊙ m, kept as forward state; dx = dy ⊙ m.
// Evaluation: y = x. Masks come from rng(model seed, draw count) (see run_context): one 32-bit
// uniform per element, kept when u ≥ p·2³².
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <fmt/format.h>
#include <ctnn/core/error.hpp>
#include <ctnn/core/rng.hpp>
#include <ctnn/graph/run_context.hpp>
#include <ctnn/graph/slot.hpp>

namespace ctnn::detail {

template <std::size_t Width, std::size_t RatePercent>
struct dropout_node {
  static constexpr bool is_dense = false;
  static constexpr std::size_t in = Width, out = Width, modules = 1;
  static constexpr std::size_t params = 0, slot_count = 0, grad_scratch = 0;
  static constexpr std::size_t buffers = 0, buffer_slot_count = 0;
  static constexpr std::size_t internal = Width;  // the mask
  static constexpr std::size_t flops_per_sample = 0;
  static constexpr double rate = RatePercent / 100.0;
  static std::string describe() { return fmt::format("dropout<{}> (Dropout p={} on {} features)", RatePercent, rate, Width); }
  static consteval std::array<slot_desc, 0> slots() { return {}; }
  static consteval std::array<slot_desc, 0> buffer_slots() { return {}; }
  template <class S> static void init(S*, std::uint64_t, std::size_t) {}

  template <class S>
  static void forward(const run_context<S>& ctx, const S*, const S* x, S* y, S* mask, std::size_t batch) {
    const std::size_t n = batch * Width;
    if (!ctx.training() || RatePercent == 0) {
      std::copy(x, x + n, y);
      for (std::size_t i = 0; i < n; ++i) mask[i] = S(1);  // a backward after an eval forward passes dy through
      return;
    }
    if (!ctx.draws) throw error("ctnn::dropout: no random stream in this context");
    rng g(ctx.seed, 0x64726f706f7574ull + (*ctx.draws)++);  // "dropout" + draw count: apart from the init streams
    const auto threshold = static_cast<std::uint32_t>(rate * 4294967296.0);
    const S keep = S(1) / S(1 - rate);
    std::size_t i = 0;
    for (; i + 1 < n; i += 2) {
      const std::uint64_t r = g.next();
      mask[i] = static_cast<std::uint32_t>(r) >= threshold ? keep : S(0);
      mask[i + 1] = static_cast<std::uint32_t>(r >> 32) >= threshold ? keep : S(0);
    }
    if (i < n) mask[i] = static_cast<std::uint32_t>(g.next()) >= threshold ? keep : S(0);
    for (std::size_t k = 0; k < n; ++k) y[k] = x[k] * mask[k];
  }
  template <bool DyIsPre, class PrevAct, class S>
  static void backward(const run_context<S>&, const S*, S*, const S*, const S*, const S* mask, S* dy, S* dx, const S*,
                       S*, std::size_t batch, bool) {
    static_assert(!DyIsPre, "dropout never receives a pre-activation gradient");
    if (!dx) return;
    for (std::size_t k = 0; k < batch * Width; ++k) dx[k] = dy[k] * mask[k];
  }
};

}  // namespace ctnn::detail
