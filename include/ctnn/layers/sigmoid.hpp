#pragma once
// sigmoid: y = 1 / (1 + e^{-z}); dy/dz = y (1 - y).
#include <ctnn/core/simd.hpp>

namespace ctnn {

struct sigmoid {
  static constexpr bool derivative_from_output = true;
  static constexpr const char* torch_name = "Sigmoid";
  template <class T> static T forward(T z) noexcept { return T(1) / (T(1) + xsimd::exp(-z)); }
  template <class T> static T derivative(T y) noexcept { return y * (T(1) - y); }
};

}  // namespace ctnn
