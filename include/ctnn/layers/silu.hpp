#pragma once
// silu (swish): y = z σ(z); dy/dz = σ(z) (1 + z (1 − σ(z))). Not invertible from y, so z is saved.
#include <ctnn/core/simd.hpp>

namespace ctnn {

struct silu {
  static constexpr bool derivative_from_output = false;
  static constexpr const char* torch_name = "SiLU";
  // At z = −∞ the quotient is −∞/∞ and the derivative's z (1 − s) is ∞·0 at both infinities: NaN
  // where the limits are finite (0; 0 and 1, which σ(±∞) itself is), so the infinities take them.
  template <class T> static T forward(T z) noexcept {
    return simd::select(z == -simd::infinity<T>(), T(0), z / (T(1) + xsimd::exp(-z)));
  }
  template <class T> static T derivative(T z) noexcept {
    const T s = T(1) / (T(1) + xsimd::exp(-z));
    return simd::select(xsimd::abs(z) == simd::infinity<T>(), s, s * (T(1) + z * (T(1) - s)));
  }
};

}  // namespace ctnn
