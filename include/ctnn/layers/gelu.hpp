#pragma once
// gelu (exact, as PyTorch's GELU()): y = z Φ(z) = z/2 (1 + erf(z/√2));
// dy/dz = Φ(z) + z φ(z), φ(z) = e^{-z²/2}/√(2π). Not invertible from y, so z is saved.
#include <ctnn/core/simd.hpp>

namespace ctnn {

struct gelu {
  static constexpr bool derivative_from_output = false;
  static constexpr const char* torch_name = "GELU";
  // At z = −∞ the product is −∞·0 and the derivative's z φ(z) is ∞·0 at both infinities: NaN
  // where the limits are finite (0; 0 and 1, which Φ(±∞) itself is), so the infinities take them.
  template <class T> static T forward(T z) noexcept {
    return simd::select(z == -simd::infinity<T>(), T(0),
                        T(0.5) * z * (T(1) + xsimd::erf(z * T(0.70710678118654752440))));
  }
  template <class T> static T derivative(T z) noexcept {
    const T cdf = T(0.5) * (T(1) + xsimd::erf(z * T(0.70710678118654752440)));
    const T pdf = xsimd::exp(T(-0.5) * z * z) * T(0.39894228040143267794);
    return simd::select(xsimd::abs(z) == simd::infinity<T>(), cdf, cdf + z * pdf);
  }
};

}  // namespace ctnn
