#pragma once
// Packing of B operands into contiguous, zero-padded, 64-byte aligned panels of NR = NV·L
// columns: panel[k·NR + j] = B(k, n0 + j) for j < ncols, 0 for ncols ≤ j < NR.
// A packed panel is read by the micro-kernel with unit stride, whatever the source stride
// (the sources here have power-of-two strides such as 1 KiB that alias in L1).
#include <cstddef>
#include <type_traits>

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

/// In-register transpose of an L×L block: r[j] (row j of the source) becomes column j.
/// AVX-512: 16×16 floats in 3 shuffle stages (unpack ps, unpack pd, 2× shuffle_f32x4), 8×8
/// doubles in 3; 64 resp. 24 shuffles per block, ~0.2 cycle per element here against ~1.2
/// for the scalar copy (measured: tiny 64×64 forward 35% → see dense_forward.hpp).
#if defined(__AVX512F__)
CTNN_KERNEL_INLINE void transpose_block(__m512 (&r)[16]) noexcept {
  __m512 t[16];
#pragma GCC unroll 8
  for (int i = 0; i < 8; ++i) {
    t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
    t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
  }
#pragma GCC unroll 4
  for (int i = 0; i < 4; ++i) {
    const __m512d a = _mm512_castps_pd(t[4 * i]), b = _mm512_castps_pd(t[4 * i + 1]),
                  c = _mm512_castps_pd(t[4 * i + 2]), d = _mm512_castps_pd(t[4 * i + 3]);
    r[4 * i] = _mm512_castpd_ps(_mm512_unpacklo_pd(a, c));
    r[4 * i + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(a, c));
    r[4 * i + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(b, d));
    r[4 * i + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(b, d));
  }
#pragma GCC unroll 2
  for (int h = 0; h < 2; ++h)
#pragma GCC unroll 4
    for (int i = 0; i < 4; ++i) {
      t[8 * h + i] = _mm512_shuffle_f32x4(r[8 * h + i], r[8 * h + 4 + i], 0x88);
      t[8 * h + 4 + i] = _mm512_shuffle_f32x4(r[8 * h + i], r[8 * h + 4 + i], 0xdd);
    }
#pragma GCC unroll 8
  for (int i = 0; i < 8; ++i) {
    r[i] = _mm512_shuffle_f32x4(t[i], t[8 + i], 0x88);
    r[8 + i] = _mm512_shuffle_f32x4(t[i], t[8 + i], 0xdd);
  }
}
CTNN_KERNEL_INLINE void transpose_block(__m512d (&r)[8]) noexcept {
  __m512d t[8], u[8];
#pragma GCC unroll 4
  for (int i = 0; i < 4; ++i) {
    t[2 * i] = _mm512_unpacklo_pd(r[2 * i], r[2 * i + 1]);
    t[2 * i + 1] = _mm512_unpackhi_pd(r[2 * i], r[2 * i + 1]);
  }
#pragma GCC unroll 2
  for (int h = 0; h < 2; ++h) {
    u[4 * h] = _mm512_shuffle_f64x2(t[4 * h], t[4 * h + 2], 0x88);
    u[4 * h + 1] = _mm512_shuffle_f64x2(t[4 * h + 1], t[4 * h + 3], 0x88);
    u[4 * h + 2] = _mm512_shuffle_f64x2(t[4 * h], t[4 * h + 2], 0xdd);
    u[4 * h + 3] = _mm512_shuffle_f64x2(t[4 * h + 1], t[4 * h + 3], 0xdd);
  }
#pragma GCC unroll 4
  for (int i = 0; i < 4; ++i) {
    r[i] = _mm512_shuffle_f64x2(u[i], u[4 + i], 0x88);
    r[4 + i] = _mm512_shuffle_f64x2(u[i], u[4 + i], 0xdd);
  }
}
#endif

/// B(k, j) = src[j·ld + k]: the transpose of a row-major matrix (Wᵀ for the forward pass).
/// L×L blocks are transposed in registers (AVX-512) or through an aligned tile; the k and j
/// remainders are copied element by element.
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
#if defined(__AVX512F__)
        if constexpr (L == 16 && std::is_same_v<S, float>) {
          __m512 r[16];
#pragma GCC unroll 16
          for (std::size_t j = 0; j < 16; ++j) r[j] = _mm512_loadu_ps(src + (j0 + j) * ld + k);
          transpose_block(r);
#pragma GCC unroll 16
          for (std::size_t kk = 0; kk < 16; ++kk) _mm512_store_ps(dst + (k + kk) * NR + j0, r[kk]);
          continue;
        } else if constexpr (L == 8 && std::is_same_v<S, double>) {
          __m512d r[8];
#pragma GCC unroll 8
          for (std::size_t j = 0; j < 8; ++j) r[j] = _mm512_loadu_pd(src + (j0 + j) * ld + k);
          transpose_block(r);
#pragma GCC unroll 8
          for (std::size_t kk = 0; kk < 8; ++kk) _mm512_store_pd(dst + (k + kk) * NR + j0, r[kk]);
          continue;
        }
#endif
        alignas(64) S tile[L][L];
#pragma GCC unroll 16
        for (std::size_t j = 0; j < L; ++j) vec<S>::load_unaligned(src + (j0 + j) * ld + k).store_aligned(tile[j]);
        for (std::size_t kk = 0; kk < L; ++kk)
          for (std::size_t j = 0; j < L; ++j) dst[(k + kk) * NR + j0 + j] = tile[j][kk];
      }
    }
    // g++ 12 warns (-Waggressive-loop-optimizations) of a 2^62nd iteration of this loop when it
    // is inlined with K = 576, NR = 32 (the conv input gradient's packing), where it runs zero
    // times: k = K after the blocked loop. A false positive; silenced here only.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Waggressive-loop-optimizations"
#endif
    for (; k < K; ++k)
      for (std::size_t j = 0; j < L; ++j) dst[k * NR + j0 + j] = j < nj ? src[(j0 + j) * ld + k] : S(0);
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
  }
}

}  // namespace ctnn::kernels::detail
