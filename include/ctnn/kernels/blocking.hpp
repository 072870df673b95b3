#pragma once
// Compile-time choice of the micro-kernel shape for an N-column GEMM (N a layer width).
//
// NV vectors of L lanes per panel (NR = NV·L columns), MR rows per tile, MR·NV ≤ 24
// accumulators. Panels that divide N exactly are preferred so no work is padded; the last
// N mod NR columns form one tail panel of NVt vectors (zero padded, masked stores).
#include <cstddef>

#include <ctnn/kernels/gemm_microkernel.hpp>

namespace ctnn::kernels::detail {

/// Rows per tile for NV vectors per row (accumulators MR·NV: 24, 24, 24, 16).
/// Measured (bench_kernels, 1 thread, float, K=256): 6×4, 8×3 and 12×2 all within 2% of each
/// other (≈ 93-95% of peak); 1-vector panels get 16 rows to keep 16 chains in flight.
constexpr int rows_for(int nv) noexcept { return nv >= 4 ? 6 : nv == 3 ? 8 : nv == 2 ? 12 : 16; }

template <class S, std::size_t N>
struct nblocking {
  static constexpr std::size_t L = lanes<S>;
  static constexpr std::size_t nvec = (N + L - 1) / L;
  static constexpr int NV = nvec % 4 == 0 ? 4 : nvec % 3 == 0 ? 3 : nvec % 2 == 0 ? 2 : nvec >= 3 ? 3 : int(nvec);
  static constexpr int MR = rows_for(NV);
  static constexpr std::size_t NR = std::size_t(NV) * L;
  static constexpr std::size_t full_panels = N / NR;
  static constexpr std::size_t tail_cols = N - full_panels * NR;
  static constexpr int NVt = int((tail_cols + L - 1) / L);  // 0: no tail panel
  static constexpr int MRt = rows_for(NVt);
  static constexpr std::size_t NRt = std::size_t(NVt) * L;
  static constexpr std::size_t panels = full_panels + (tail_cols ? 1 : 0);
};

}  // namespace ctnn::kernels::detail
