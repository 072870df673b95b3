#pragma once
// The register-blocked GEMM micro-kernel shared by the three dense kernels.
//
//   acc[r][v] (MR rows × NV vectors of L lanes) = Σ_k A(r, k) · B(k, v·L .. v·L+L)
//   A(r, k) = a[r·LDA + k·AK]   (broadcast; LDA/AK compile-time, so A may be read transposed)
//   B(k, ·) = b[k·LDB ...]      (a packed panel: NV full vectors per k, zero padded)
//
// Every output element is the same fma chain acc = fma(A(r,k), B(k,j), acc), k = 0..K-1, from 0,
// whatever MR/NV instantiation computes it, so results do not depend on how the work is split.
//
// Register budget (32 zmm): MR·NV accumulators + NV B vectors + 1 broadcast. Zen 4 retires one
// 512-bit FMA per cycle (two 256-bit pipes) with 4-cycle latency, so ≥ 8 accumulators keep it
// busy; 24 leave headroom for the loads (measured in bench/kernels, see dense_*.hpp).
#include <cstddef>
#include <type_traits>
#include <utility>

#include <xsimd/xsimd.hpp>

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

#if defined(__GNUC__)
#define CTNN_KERNEL_INLINE inline __attribute__((always_inline))
#define CTNN_RESTRICT __restrict__
#else
#define CTNN_KERNEL_INLINE inline
#define CTNN_RESTRICT
#endif

namespace ctnn::kernels::detail {

template <class S>
using vec = xsimd::batch<S>;

template <class S>
inline constexpr std::size_t lanes = vec<S>::size;

/// Loads the first n (< lanes) elements of p, the rest zero.
template <class S>
CTNN_KERNEL_INLINE vec<S> load_partial(const S* p, std::size_t n) noexcept {
#if defined(__AVX512F__)
  if constexpr (std::is_same_v<S, float> && lanes<S> == 16) {
    return _mm512_maskz_loadu_ps(static_cast<__mmask16>((1u << n) - 1u), p);
  } else if constexpr (std::is_same_v<S, double> && lanes<S> == 8) {
    return _mm512_maskz_loadu_pd(static_cast<__mmask8>((1u << n) - 1u), p);
  }
#endif
  alignas(64) S tmp[lanes<S>] = {};
  for (std::size_t i = 0; i < n; ++i) tmp[i] = p[i];
  return vec<S>::load_aligned(tmp);
}

/// Stores the first n (< lanes) lanes of v to p.
template <class S>
CTNN_KERNEL_INLINE void store_partial(S* p, const vec<S>& v, std::size_t n) noexcept {
#if defined(__AVX512F__)
  if constexpr (std::is_same_v<S, float> && lanes<S> == 16) {
    _mm512_mask_storeu_ps(p, static_cast<__mmask16>((1u << n) - 1u), v);
    return;
  } else if constexpr (std::is_same_v<S, double> && lanes<S> == 8) {
    _mm512_mask_storeu_pd(p, static_cast<__mmask8>((1u << n) - 1u), v);
    return;
  }
#endif
  alignas(64) S tmp[lanes<S>];
  v.store_aligned(tmp);
  for (std::size_t i = 0; i < n; ++i) p[i] = tmp[i];
}

/// Loads n ≤ lanes elements (a full vector when n == lanes).
template <class S>
CTNN_KERNEL_INLINE vec<S> load_n(const S* p, std::size_t n) noexcept {
  return n == lanes<S> ? vec<S>::load_unaligned(p) : load_partial(p, n);
}
template <class S>
CTNN_KERNEL_INLINE void store_n(S* p, const vec<S>& v, std::size_t n) noexcept {
  if (n == lanes<S>) v.store_unaligned(p);
  else store_partial(p, v, n);
}

/// The micro-kernel. K is a runtime count (a compile-time constant after inlining where known).
template <class S, int MR, int NV, std::size_t LDA, std::size_t AK, std::size_t LDB>
CTNN_KERNEL_INLINE void gemm_tile(const S* CTNN_RESTRICT a, const S* CTNN_RESTRICT b, std::size_t K,
                                  vec<S> (&acc)[MR][NV]) noexcept {
  using V = vec<S>;
  constexpr std::size_t L = lanes<S>;
#pragma GCC unroll 32
  for (int r = 0; r < MR; ++r)
#pragma GCC unroll 8
    for (int v = 0; v < NV; ++v) acc[r][v] = V(S(0));
  for (std::size_t k = 0; k < K; ++k) {
    V bv[NV];
#pragma GCC unroll 8
    for (int v = 0; v < NV; ++v) bv[v] = V::load_aligned(b + k * LDB + static_cast<std::size_t>(v) * L);
#pragma GCC unroll 32
    for (int r = 0; r < MR; ++r) {
      const V av(a[static_cast<std::size_t>(r) * LDA + k * AK]);
#pragma GCC unroll 8
      for (int v = 0; v < NV; ++v) acc[r][v] = xsimd::fma(av, bv[v], acc[r][v]);
    }
  }
}

/// Calls f(std::integral_constant<int, m>{}) for a runtime 1 ≤ m ≤ Max (row-tail dispatch).
template <int Max, class F>
CTNN_KERNEL_INLINE void dispatch_rows(std::size_t m, F&& f) {
  [&]<int... I>(std::integer_sequence<int, I...>) {
    (void)((m == static_cast<std::size_t>(I + 1) ? (f(std::integral_constant<int, I + 1>{}), true) : false) || ...);
  }(std::make_integer_sequence<int, Max>{});
}

/// Rows [m0, m1) of C against one packed B panel: full MR-row tiles, then one tail tile.
/// epi(i, acc) receives the tile whose first row is i (acc is vec<S>[R][NV], R ≤ MR).
template <class S, int MR, int NV, std::size_t LDA, std::size_t AK, std::size_t LDB, class Epi>
CTNN_KERNEL_INLINE void gemm_panel_rows(const S* a, const S* b, std::size_t K, std::size_t m0, std::size_t m1,
                                        Epi&& epi) {
  std::size_t i = m0;
  for (; i + MR <= m1; i += MR) {
    vec<S> acc[MR][NV];
    gemm_tile<S, MR, NV, LDA, AK, LDB>(a + i * LDA, b, K, acc);
    epi(i, acc);
  }
  if constexpr (MR > 1) {
    if (i < m1) {
      dispatch_rows<MR - 1>(m1 - i, [&](auto mr) {
        constexpr int R = decltype(mr)::value;
        vec<S> acc[R][NV];
        gemm_tile<S, R, NV, LDA, AK, LDB>(a + i * LDA, b, K, acc);
        epi(i, acc);
      });
    }
  }
}

/// Splits `total` work items into `chunks` contiguous ranges: [lo, hi) of chunk c.
inline std::pair<std::size_t, std::size_t> chunk_range(std::size_t total, int c, int chunks) noexcept {
  const std::size_t cs = static_cast<std::size_t>(chunks), cc = static_cast<std::size_t>(c);
  return {total * cc / cs, total * (cc + 1) / cs};
}

/// Threads for a call of `flops` floating-point operations: serial below 2 MFLOP (2-thread
/// fork/join costs ~2-5 µs here), at most one per `units` of splittable work.
inline int threads_for(double flops, std::size_t units, int max_threads) noexcept {
  if (flops < 2.0e6 || max_threads <= 1) return 1;
  int t = max_threads;
  if (static_cast<std::size_t>(t) > units) t = static_cast<int>(units);
  return t < 1 ? 1 : t;
}

}  // namespace ctnn::kernels::detail
