#pragma once
// Compile-time choice of the micro-kernel shape for an N-column GEMM (N a layer width).
//
// NV vectors of L lanes per panel (NR = NV·L columns), MR rows per tile, MR·NV ≤ 24
// accumulators. Panels that divide N exactly are preferred so no work is padded; the last
// N mod NR columns form one tail panel of NVt vectors (zero padded, masked stores).
#include <algorithm>
#include <cstddef>
#include <utility>

#include <ctnn/kernels/gemm_microkernel.hpp>

namespace ctnn::kernels::detail {

/// Rows per tile for NV vectors per row (accumulators MR·NV: 24, 24, 24, 16).
/// Measured (bench_kernels, 1 thread, float, K=256): 6×4, 8×3 and 12×2 all within 2% of each
/// other (≈ 93-95% of peak); 1-vector panels get 16 rows to keep 16 chains in flight.
constexpr int rows_for(int nv) noexcept { return nv >= 4 ? 6 : nv == 3 ? 8 : nv == 2 ? 12 : 16; }

/// Vectors per panel for a width of nvec vectors: 4, 3 or 2 when they divide it, else 3 (or nvec).
constexpr int panel_vectors(std::size_t nvec) noexcept {
  return nvec % 4 == 0 ? 4 : nvec % 3 == 0 ? 3 : nvec % 2 == 0 ? 2 : nvec >= 3 ? 3 : int(nvec);
}

template <class S, std::size_t N>
struct nblocking {
  static constexpr std::size_t L = lanes<S>;
  static constexpr std::size_t nvec = (N + L - 1) / L;
  static constexpr int NV = panel_vectors(nvec);
  static constexpr int MR = rows_for(NV);
  static constexpr std::size_t NR = std::size_t(NV) * L;
  static constexpr std::size_t full_panels = N / NR;
  static constexpr std::size_t tail_cols = N - full_panels * NR;
  static constexpr int NVt = int((tail_cols + L - 1) / L);  // 0: no tail panel
  static constexpr int MRt = rows_for(NVt);
  static constexpr std::size_t NRt = std::size_t(NVt) * L;
  static constexpr std::size_t panels = full_panels + (tail_cols ? 1 : 0);
};

/// How dense_forward splits a layer In→Out over `batch` rows and up to `max_threads` threads:
/// `threads` chunks, either by panels of output features (each thread computes whole columns of
/// y from its own rows of W) or by batch rows. The same rule decides how dense_backward_weights
/// splits dW and how the optimizer's per-slot update splits W (optim/elementwise.hpp): by the
/// same rows of W whenever the forward splits by panels, so each row of W, its gradient and its
/// optimizer state are written and read by one core only. (On the 2-core VM a store to a line
/// the other core has read costs ~7 GB/s against ~30 GB/s for reading a line the other core
/// wrote; on 784-256-256-10, batch 256, updating on the forward's owner saved 10% of a step.)
struct dense_split {
  int threads = 1;
  bool by_panels = false;
  std::size_t panel_rows = 0;  ///< output features per panel (NR)
  std::size_t panels = 0;

  /// Rows of W [lo, hi) whose outputs chunk c computes (by_panels only).
  constexpr std::pair<std::size_t, std::size_t> rows(std::size_t out, int c) const noexcept {
    const auto [p0, p1] = chunk_range(panels, c, threads);
    return {std::min(out, p0 * panel_rows), std::min(out, p1 * panel_rows)};
  }
};

template <class S>
constexpr dense_split dense_forward_split(std::size_t in, std::size_t out, std::size_t batch, int max_threads) noexcept {
  const double flops = 2.0 * double(batch) * double(in) * double(out);
  dense_split s;
  if (out < 4) {  // the dot-product path: batch rows
    s.threads = threads_for(flops, batch, max_threads);
    return s;
  }
  constexpr std::size_t L = lanes<S>;
  const int nv = panel_vectors((out + L - 1) / L);
  s.panel_rows = std::size_t(nv) * L;
  s.panels = (out + s.panel_rows - 1) / s.panel_rows;
  const std::size_t row_blocks = (batch + std::size_t(rows_for(nv)) - 1) / std::size_t(rows_for(nv));
  s.threads = threads_for(flops, row_blocks, max_threads);
  s.by_panels = s.threads > 1 && s.panels % std::size_t(s.threads) == 0;
  return s;
}

/// The rows of W each of `threads` threads owns in a whole-network team step (chain_node: every
/// layer too small to split on its own, the batch rows split instead): groups of 16 rows, split
/// evenly. Each thread computes the weight gradient of its rows, and the optimizer updates them
/// on the same thread.
constexpr dense_split dense_team_split(std::size_t out, int threads) noexcept {
  dense_split s;
  s.threads = threads;
  s.by_panels = true;
  s.panel_rows = 16;
  s.panels = (out + 15) / 16;
  return s;
}

}  // namespace ctnn::kernels::detail
