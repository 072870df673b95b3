#pragma once
// silu (swish): y = z σ(z); dy/dz = σ(z) (1 + z (1 − σ(z))). Not invertible from y, so z is saved.
#include <ctnn/core/simd.hpp>

namespace ctnn {

struct silu {
  static constexpr bool derivative_from_output = false;
  static constexpr const char* torch_name = "SiLU";
  template <class T> static T forward(T z) noexcept { return z / (T(1) + xsimd::exp(-z)); }
  template <class T> static T derivative(T z) noexcept {
    const T s = T(1) / (T(1) + xsimd::exp(-z));
    return s * (T(1) + z * (T(1) - s));
  }
};

}  // namespace ctnn
