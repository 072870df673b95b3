#pragma once
// Thin helpers so one function body serves both a scalar reference (T = float/double)
// and an xsimd kernel (T = xsimd::batch<float/double>).
#include <cmath>
#include <limits>
#include <type_traits>

#include <xsimd/xsimd.hpp>
#if defined(__AVX512F__)
#include <immintrin.h>
#endif

namespace ctnn::simd {

template <class T>
inline constexpr bool is_batch = xsimd::is_batch<T>::value;

/// cond ? a : b, lane-wise for batches.
template <class T>
inline T select(bool cond, const T& a, const T& b) noexcept {
  return cond ? a : b;
}
template <class T, class A>
inline xsimd::batch<T, A> select(const xsimd::batch_bool<T, A>& cond, const xsimd::batch<T, A>& a,
                                 const xsimd::batch<T, A>& b) noexcept {
  return xsimd::select(cond, a, b);
}

/// T's element type: T itself for a scalar, the lane type for a batch.
template <class T>
struct element_type {
  using type = T;
};
template <class T, class A>
struct element_type<xsimd::batch<T, A>> {
  using type = T;
};

/// +∞ in T (every lane for a batch).
template <class T>
inline T infinity() noexcept {
  return T(std::numeric_limits<typename element_type<T>::type>::infinity());
}

/// a·b + c rounded once (on targets with FMA; without it rounded twice, scalar and vector alike,
/// so the two always give the same bits). xsimd 8 has no AVX-512 kernel for fma and falls back to
/// a·b + c, which g++ fuses only when it optimizes with contraction on (-O2 and up,
/// -ffp-contract=fast): at -O1 (the sanitizer build) or with -ffp-contract=off every fma of the
/// kernels would be a multiply and an add, rounded twice, at half the FMA rate.
template <class T>
inline T fma(const T& a, const T& b, const T& c) noexcept {
  if constexpr (!is_batch<T>) {
#if defined(__FMA__)
    return std::fma(a, b, c);
#else
    return a * b + c;  // what xsimd's batches do without FMA hardware: scalar and vector agree
#endif
  } else {
#if defined(__AVX512F__)
    if constexpr (std::is_base_of_v<xsimd::avx512f, typename T::arch_type>) {
      using S = typename T::value_type;
      if constexpr (std::is_same_v<S, float>) return _mm512_fmadd_ps(a, b, c);
      else if constexpr (std::is_same_v<S, double>) return _mm512_fmadd_pd(a, b, c);
      else return xsimd::fma(a, b, c);
    } else
#endif
      return xsimd::fma(a, b, c);
  }
}

}  // namespace ctnn::simd
