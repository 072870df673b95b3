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
// Register budget (32 zmm): MR·NV accumulators + NV B vectors + 1 broadcast. The dev box's Zen 5
// retires two 512-bit FMAs per cycle with 4-cycle latency, so ≥ 8 independent accumulators keep
// both pipes busy; 24 leave headroom for the loads (measured in bench/kernels, see dense_*.hpp).
#include <cstddef>
#include <type_traits>
#include <utility>

#include <xsimd/xsimd.hpp>
#include <ctnn/core/simd.hpp>

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

/// Loads of the first n ≤ lanes elements, for many rows at the same n: on AVX-512 one masked
/// load each, its mask computed once (load_n tests n at every load).
template <class S>
struct first_lanes_loader {
  std::size_t n;
  explicit first_lanes_loader(std::size_t count) noexcept : n(count) {}
  CTNN_KERNEL_INLINE vec<S> operator()(const S* p) const noexcept {
#if defined(__AVX512F__)
    if constexpr (std::is_same_v<S, float> && lanes<S> == 16) {
      return _mm512_maskz_loadu_ps(static_cast<__mmask16>(n >= 16 ? 0xffffu : (1u << n) - 1u), p);
    } else if constexpr (std::is_same_v<S, double> && lanes<S> == 8) {
      return _mm512_maskz_loadu_pd(static_cast<__mmask8>(n >= 8 ? 0xffu : (1u << n) - 1u), p);
    }
#endif
    return load_n(p, n);
  }
};

/// The micro-kernel. K is a runtime count (a compile-time constant after inlining where known).
/// Continue = true adds to the accumulators as they are: the next stretch of k of the same chains
/// (an implicit-GEMM convolution reads each kernel row's stretch of A from its own place).
/// AlignedB = false: B rows read in place from memory that may not be 64-byte aligned.
template <class S, int MR, int NV, std::size_t LDA, std::size_t AK, std::size_t LDB, bool Continue = false,
          bool AlignedB = true>
CTNN_KERNEL_INLINE void gemm_tile(const S* CTNN_RESTRICT a, const S* CTNN_RESTRICT b, std::size_t K,
                                  vec<S> (&acc)[MR][NV]) noexcept {
  using V = vec<S>;
  constexpr std::size_t L = lanes<S>;
  if constexpr (!Continue) {
#pragma GCC unroll 32
    for (int r = 0; r < MR; ++r)
#pragma GCC unroll 8
      for (int v = 0; v < NV; ++v) acc[r][v] = V(S(0));
  }
  for (std::size_t k = 0; k < K; ++k) {
    V bv[NV];
#pragma GCC unroll 8
    for (int v = 0; v < NV; ++v) {
      const S* bp = b + k * LDB + static_cast<std::size_t>(v) * L;
      bv[v] = AlignedB ? V::load_aligned(bp) : V::load_unaligned(bp);
    }
#pragma GCC unroll 32
    for (int r = 0; r < MR; ++r) {
      const V av(a[static_cast<std::size_t>(r) * LDA + k * AK]);
#pragma GCC unroll 8
      for (int v = 0; v < NV; ++v) acc[r][v] = simd::fma(av, bv[v], acc[r][v]);
    }
  }
}

/// Stores an accumulator tile to a row-major MR × NV·L buffer, so the epilogue can be a plain
/// (rolled) loop: one copy of the activation code per kernel instead of MR·NV inlined ones,
/// for 2·MR·NV extra L1 accesses per tile of K·MR·NV fmas. Used for short and masked tiles,
/// the input gradient and convolution; the forward's whole tiles and the weight gradient take
/// their epilogue from the registers (dense_forward.hpp, dense_backward_weights.hpp), which
/// measured faster at K = 32-64 (tiny_b32), where those accesses are a visible share.
template <class S, int MR, int NV>
CTNN_KERNEL_INLINE void store_tile(const vec<S> (&acc)[MR][NV], S* ct) noexcept {
#pragma GCC unroll 32
  for (int r = 0; r < MR; ++r)
#pragma GCC unroll 8
    for (int v = 0; v < NV; ++v) acc[r][v].store_aligned(ct + (r * NV + v) * lanes<S>);
}

/// Rows [m0, m1) of C (m1 - m0 a runtime count) against one packed B panel, A read with unit
/// stride along k (AK = 1) and rows of LDA ≥ K elements: MR-row tiles, the last one (if short)
/// through a zero-padded copy in `tail` (MR·LDA elements), so one micro-kernel instantiation
/// serves every batch size. epi(i, ct, rows): ct is the tile starting at row i as a row-major
/// MR × NV·L array; its first `rows` rows are valid.
template <class S, int MR, int NV, std::size_t LDA, std::size_t LDB, class Epi>
CTNN_KERNEL_INLINE void gemm_panel_rows(const S* a, const S* b, std::size_t K, std::size_t m0, std::size_t m1,
                                        S* tail, Epi&& epi) {
  alignas(64) S ct[MR * NV * lanes<S>];
  auto tile = [&]<int R>(std::integral_constant<int, R>, const S* ap, std::size_t i, std::size_t rows) {
    vec<S> acc[R][NV];
    gemm_tile<S, R, NV, LDA, 1, LDB>(ap, b, K, acc);
    store_tile<S, R, NV>(acc, ct);
    epi(i, static_cast<const S*>(ct), rows);
  };
  std::size_t i = m0;
  for (; i + MR <= m1; i += MR) tile(std::integral_constant<int, MR>{}, a + i * LDA, i, std::size_t(MR));
  if (i < m1) {
    const std::size_t rows = m1 - i;
    // Short tail: a 2- or 4-row kernel when it fits (8-16 chains still cover the fma latency;
    // measured: 64×64 batch 32 forward 1.57 → 1.36 µs), else the MR kernel on padded rows.
    const std::size_t R = (MR > 4 && rows <= 2) ? 2 : (MR > 4 && rows <= 4) ? 4 : std::size_t(MR);
    for (std::size_t r = 0; r < R; ++r)
      for (std::size_t k = 0; k < K; ++k) tail[r * LDA + k] = r < rows ? a[(i + r) * LDA + k] : S(0);
    if constexpr (MR > 4) {
      if (R == 2) return tile(std::integral_constant<int, 2>{}, tail, i, rows);
      if (R == 4) return tile(std::integral_constant<int, 4>{}, tail, i, rows);
    }
    tile(std::integral_constant<int, MR>{}, tail, i, rows);
  }
}

/// Splits `total` work items into `chunks` contiguous ranges: [lo, hi) of chunk c.
constexpr std::pair<std::size_t, std::size_t> chunk_range(std::size_t total, int c, int chunks) noexcept {
  const std::size_t cs = static_cast<std::size_t>(chunks), cc = static_cast<std::size_t>(c);
  return {total * cc / cs, total * (cc + 1) / cs};
}

/// Threads for a call of `flops` floating-point operations: serial below 8 MFLOP, at most one
/// per `units` of splittable work. Measured on the 2-core VM: a 128×128 batch-128 layer
/// (4.2 MFLOP, ~20 µs serial) ran in 15-18 µs on 2 threads at best and, with other processes
/// on the machine, often stalled for milliseconds in the fork/join; 784×256 batch 64
/// (26 MFLOP) gains 1.5-1.8×. With idle threads spinning between regions (GOMP_SPINCOUNT=10000)
/// a 2 MFLOP threshold sped up the 32-layer 128-wide net's GEMMs alone (1.87 against 2.26 ms a
/// step) but slowed its whole training step (2.38 against 2.06 ms), so 8 MFLOP stays.
/// CTNN_SERIAL_BELOW_FLOPS overrides it at compile time (for measuring the threshold).
#ifndef CTNN_SERIAL_BELOW_FLOPS
#define CTNN_SERIAL_BELOW_FLOPS 8.0e6
#endif
inline constexpr double serial_below_flops = CTNN_SERIAL_BELOW_FLOPS;

constexpr int threads_for(double flops, std::size_t units, int max_threads) noexcept {
  if (flops < serial_below_flops || max_threads <= 1) return 1;
  int t = max_threads;
  if (static_cast<std::size_t>(t) > units) t = static_cast<int>(units);
  return t < 1 ? 1 : t;
}

}  // namespace ctnn::kernels::detail
