#pragma once
// batch_norm<Momentum, Eps>: PyTorch's nn.BatchNorm1d(F) on [batch, F] (m = batch).
// Training, per feature over the batch:
//   μ = (1/m) Σ x_i, σ² = (1/m) Σ (x_i − μ)² (biased), x̂ = (x − μ)/√(σ² + ε), y = γ x̂ + β;
//   running_mean ← (1 − M) running_mean + M μ,
//   running_var  ← (1 − M) running_var  + M σ² m/(m − 1)          (unbiased, as PyTorch).
// Evaluation: x̂ = (x − running_mean)/√(running_var + ε), y = γ x̂ + β; buffers unchanged.
// VJP (g = ∂ℓ/∂y): ∂ℓ/∂γ = Σ_i g_i x̂_i, ∂ℓ/∂β = Σ_i g_i;
//   training:   ∂ℓ/∂x_i = γ/(m√(σ² + ε)) · [m g_i − Σ_j g_j − x̂_i Σ_j g_j x̂_j];
//   evaluation: ∂ℓ/∂x_i = γ g_i/√(running_var + ε).
// Parameters "weight" (γ = 1), "bias" (β = 0); buffers "running_mean" (0), "running_var" (1).
// PyTorch's num_batches_tracked is not kept (only needed for momentum = None).
// Folding (graph/chain_node.hpp): in evaluation, a dense layer without activation right before
// this layer runs with W'_j = a_j W_j, b'_j = a_j (b_j − running_mean_j) + β_j,
// a_j = γ_j/√(running_var_j + ε) (fold_into_dense below), and this node's forward is skipped;
// restore_eval_state rebuilds the state its backward reads if a backward follows.
// Ioffe & Szegedy 2015, https://arxiv.org/abs/1502.03167.
#include <array>
#include <cmath>
#include <cstddef>
#include <string>
#include <type_traits>
#include <fmt/format.h>
#include <ctnn/core/error.hpp>
#include <ctnn/graph/run_context.hpp>
#include <ctnn/graph/slot.hpp>
#include <ctnn/layers/identity.hpp>
#include <ctnn/core/name_of.hpp>
#include <string_view>

namespace ctnn::norm {

template <double Momentum = 0.1, double Eps = 1e-5>
struct batch_norm {
  static std::string name() {
    return naming::compose("batch_norm", {naming::arg("momentum", Momentum, 0.1), naming::arg("eps", Eps, 1e-5)});
  }
  static_assert(Momentum >= 0 && Momentum <= 1, "ctnn::norm::batch_norm<Momentum, Eps>: Momentum must be in [0, 1]");
  static_assert(Eps > 0, "ctnn::norm::batch_norm<Momentum, Eps>: Eps must be positive");
  static constexpr bool is_norm_policy = true;
  static constexpr double momentum = Momentum, eps = Eps;

  template <std::size_t Width>
  struct node {
    static constexpr bool is_dense = false;
    /// A normalization layer whose first slot is its gain γ (Width elements at offset 0): what
    /// init::apply_zero_gamma looks for.
    static constexpr bool is_norm_node = true;
    static constexpr std::size_t in = Width, out = Width, modules = 1;
    static constexpr std::size_t stride = round_up_to_slot(Width);
    static constexpr std::size_t params = 2 * stride, slot_count = 2;
    static constexpr std::size_t buffers = 2 * stride, buffer_slot_count = 2;
    // Per sample: x̂ (Width), then Width more of which the first Width (of batch × Width) hold
    // the per-feature 1/√(σ² + ε) (batch ≥ 1 makes room).
    static constexpr std::size_t internal = 2 * Width;
    static constexpr std::size_t grad_scratch = 2 * Width;  // Σg and Σg x̂ per feature (batch ≥ 1)
    static constexpr std::size_t flops_per_sample = 0;
    static std::string describe() { return fmt::format("BatchNorm1d ({} features)", Width); }

    static consteval std::array<slot_desc, 2> slots() {
      slot_desc w{.offset = 0, .rank = 1, .rows = Width, .cols = 1, .fan_in = Width, .fan_out = Width,
                  .role = slot_role::weight};
      slot_desc b = w;
      b.offset = stride;
      b.role = slot_role::bias;
      return {w, b};
    }
    static consteval std::array<slot_desc, 2> buffer_slots() {
      slot_desc mean{.offset = 0, .rank = 1, .rows = Width, .cols = 1, .role = slot_role::buffer};
      mean.leaf = "running_mean";
      slot_desc var = mean;
      var.offset = stride;
      var.leaf = "running_var";
      var.initial = 1;
      return {mean, var};
    }

    template <class S>
    static void init(S* p, std::uint64_t, std::size_t) {
      for (std::size_t j = 0; j < Width; ++j) p[j] = S(1), p[stride + j] = S(0);
    }

    template <class S>
    static void forward(const run_context<S>& ctx, const S* p, const S* x, S* y, S* state, std::size_t batch) {
      S* xhat = state;
      S* inv = state + Width * batch;
      S* running_mean = ctx.buffers;
      S* running_var = ctx.buffers + stride;
      if (ctx.training()) {
        if (batch < 2)
          throw error(fmt::format("ctnn::norm::batch_norm: training needs more than one sample per batch "
                                  "(got {}, {} features)", batch, Width));
        // Row by row, so the batch is read with unit stride; inv holds μ, then σ², then 1/√(σ²+ε).
        for (std::size_t j = 0; j < Width; ++j) inv[j] = S(0);
        for (std::size_t b = 0; b < batch; ++b)
          for (std::size_t j = 0; j < Width; ++j) inv[j] += x[b * Width + j];
        for (std::size_t j = 0; j < Width; ++j) {
          inv[j] /= S(batch);
          running_mean[j] = S(1 - Momentum) * running_mean[j] + S(Momentum) * inv[j];
        }
        for (std::size_t b = 0; b < batch; ++b)
          for (std::size_t j = 0; j < Width; ++j) xhat[b * Width + j] = x[b * Width + j] - inv[j];
        for (std::size_t j = 0; j < Width; ++j) inv[j] = S(0);
        for (std::size_t b = 0; b < batch; ++b)
          for (std::size_t j = 0; j < Width; ++j) inv[j] += xhat[b * Width + j] * xhat[b * Width + j];
        const S unbias = S(batch) / S(batch - 1);
        for (std::size_t j = 0; j < Width; ++j) {
          const S var = inv[j] / S(batch);
          running_var[j] = S(1 - Momentum) * running_var[j] + S(Momentum) * var * unbias;
          inv[j] = S(1) / std::sqrt(var + S(Eps));
        }
        for (std::size_t b = 0; b < batch; ++b)
          for (std::size_t j = 0; j < Width; ++j) {
            const S xh = xhat[b * Width + j] * inv[j];
            xhat[b * Width + j] = xh;
            y[b * Width + j] = p[j] * xh + p[stride + j];
          }
      } else {
        for (std::size_t j = 0; j < Width; ++j) inv[j] = S(1) / std::sqrt(running_var[j] + S(Eps));
        for (std::size_t b = 0; b < batch; ++b)
          for (std::size_t j = 0; j < Width; ++j) {
            const S xh = (x[b * Width + j] - running_mean[j]) * inv[j];
            xhat[b * Width + j] = xh;
            y[b * Width + j] = p[j] * xh + p[stride + j];
          }
      }
    }

    /// Evaluation-mode folding into the dense layer before it (In inputs; w: [Width, In], b: [Width]):
    /// wf = a ⊙ w row-wise, bf = a ⊙ (b − running_mean) + β, a = γ/√(running_var + ε).
    static constexpr bool folds_into_dense = true;
    template <std::size_t In, class S>
    static void fold_into_dense(const run_context<S>& ctx, const S* p, const S* w, const S* b, S* wf, S* bf) {
      const S* running_mean = ctx.buffers;
      const S* running_var = ctx.buffers + stride;
      for (std::size_t j = 0; j < Width; ++j) {
        const S a = p[j] * (S(1) / std::sqrt(running_var[j] + S(Eps)));
        for (std::size_t i = 0; i < In; ++i) wf[j * In + i] = a * w[j * In + i];
        bf[j] = a * (b[j] - running_mean[j]) + p[stride + j];
      }
    }
    /// After a folded evaluation forward: the state (x̂, 1/√(running_var + ε)) an evaluation
    /// forward on x would have left, so backward can run; y is not written.
    template <class S>
    static void restore_eval_state(const run_context<S>& ctx, const S* x, S* state, std::size_t batch) {
      S* xhat = state;
      S* inv = state + Width * batch;
      const S* running_mean = ctx.buffers;
      const S* running_var = ctx.buffers + stride;
      for (std::size_t j = 0; j < Width; ++j) inv[j] = S(1) / std::sqrt(running_var[j] + S(Eps));
      for (std::size_t b = 0; b < batch; ++b)
        for (std::size_t j = 0; j < Width; ++j) xhat[b * Width + j] = (x[b * Width + j] - running_mean[j]) * inv[j];
    }

    /// Uses the mode of the context it is given: call it in the mode of the forward it follows.
    template <bool DyIsPre, class PrevAct, class S>
    static void backward(const run_context<S>& ctx, const S* p, S* g, const S*, const S*, const S* state, S* dy,
                         S* dx, const S*, S* scratch, std::size_t batch, bool accumulate) {
      static_assert(!DyIsPre && std::is_same_v<PrevAct, identity>,
                    "a normalization layer is never fused with its neighbours' activations");
      const S* xhat = state;
      const S* inv = state + Width * batch;
      S* sum_g = scratch;
      S* sum_gx = scratch + Width;
      for (std::size_t j = 0; j < Width; ++j) sum_g[j] = S(0), sum_gx[j] = S(0);
      for (std::size_t b = 0; b < batch; ++b)
        for (std::size_t j = 0; j < Width; ++j) {
          sum_g[j] += dy[b * Width + j];
          sum_gx[j] += dy[b * Width + j] * xhat[b * Width + j];
        }
      for (std::size_t j = 0; j < Width; ++j) {
        g[j] = (accumulate ? g[j] : S(0)) + sum_gx[j];
        g[stride + j] = (accumulate ? g[stride + j] : S(0)) + sum_g[j];
      }
      if (!dx) return;
      if (ctx.training()) {
        const S m = S(batch);
        for (std::size_t b = 0; b < batch; ++b)
          for (std::size_t j = 0; j < Width; ++j)
            dx[b * Width + j] = p[j] * inv[j] / m *
                                (m * dy[b * Width + j] - sum_g[j] - xhat[b * Width + j] * sum_gx[j]);
      } else {
        for (std::size_t b = 0; b < batch; ++b)
          for (std::size_t j = 0; j < Width; ++j) dx[b * Width + j] = p[j] * inv[j] * dy[b * Width + j];
      }
    }
  };
};

}  // namespace ctnn::norm
