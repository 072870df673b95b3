#pragma once
// Thin helpers so one function body serves both a scalar reference (T = float/double)
// and an xsimd kernel (T = xsimd::batch<float/double>).
#include <xsimd/xsimd.hpp>

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

}  // namespace ctnn::simd
