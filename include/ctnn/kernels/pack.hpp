#pragma once
// Packing of B operands into contiguous, zero-padded, 64-byte aligned panels of NR = NV·L
// columns: panel[k·NR + j] = B(k, n0 + j) for j < ncols, 0 for ncols ≤ j < NR.
// A packed panel is read by the micro-kernel with unit stride, whatever the source stride
// (the sources here have power-of-two strides such as 1 KiB that alias in L1).
#include <cstddef>

#include <ctnn/kernels/gemm_microkernel.hpp>

namespace ctnn::kernels::detail {

/// B(k, j) = src[k·ld + j]: rows of a row-major matrix (W for the input gradient, x for the
/// weight gradient).
template <class S, std::size_t NR>
CTNN_KERNEL_INLINE void pack_rows(const S* CTNN_RESTRICT src, std::size_t ld, std::size_t K, std::size_t ncols,
                                  S* CTNN_RESTRICT dst) noexcept {
  constexpr std::size_t L = lanes<S>;
  static_assert(NR % L == 0);
  if (ncols == NR) {
    for (std::size_t k = 0; k < K; ++k)
#pragma GCC unroll 8
      for (std::size_t j = 0; j < NR; j += L) vec<S>::load_unaligned(src + k * ld + j).store_aligned(dst + k * NR + j);
  } else {
    for (std::size_t k = 0; k < K; ++k)
      for (std::size_t j = 0; j < NR; j += L) {
        const std::size_t n = j < ncols ? (ncols - j < L ? ncols - j : L) : 0;
        (n ? load_n(src + k * ld + j, n) : vec<S>(S(0))).store_aligned(dst + k * NR + j);
      }
  }
}

/// B(k, j) = src[j·ld + k]: the transpose of a row-major matrix (Wᵀ for the forward pass).
/// Blocks of L rows of src are transposed through a small aligned tile so both the reads
/// (along k) and the writes (along j) are vector-wide.
template <class S, std::size_t NR>
CTNN_KERNEL_INLINE void pack_transposed(const S* CTNN_RESTRICT src, std::size_t ld, std::size_t K,
                                        std::size_t ncols, S* CTNN_RESTRICT dst) noexcept {
  constexpr std::size_t L = lanes<S>;
  static_assert(NR % L == 0);
  for (std::size_t j0 = 0; j0 < NR; j0 += L) {
    const std::size_t nj = j0 < ncols ? (ncols - j0 < L ? ncols - j0 : L) : 0;
    if (nj == 0) {
      for (std::size_t k = 0; k < K; ++k) vec<S>(S(0)).store_aligned(dst + k * NR + j0);
      continue;
    }
    std::size_t k = 0;
    if (nj == L) {
      for (; k + L <= K; k += L) {
        // L×L block: read L rows (j) of L contiguous k, write L rows (k) of L contiguous j.
        alignas(64) S tile[L][L];
#pragma GCC unroll 16
        for (std::size_t j = 0; j < L; ++j) vec<S>::load_unaligned(src + (j0 + j) * ld + k).store_aligned(tile[j]);
#pragma GCC unroll 16
        for (std::size_t kk = 0; kk < L; ++kk)
#pragma GCC unroll 16
          for (std::size_t j = 0; j < L; ++j) dst[(k + kk) * NR + j0 + j] = tile[j][kk];
      }
    }
    for (; k < K; ++k)
      for (std::size_t j = 0; j < L; ++j) dst[k * NR + j0 + j] = j < nj ? src[(j0 + j) * ld + k] : S(0);
  }
}

}  // namespace ctnn::kernels::detail
