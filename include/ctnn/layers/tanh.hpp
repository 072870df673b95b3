#pragma once
// tanh: y = tanh(z); dy/dz = 1 - y².
#include <ctnn/core/simd.hpp>

namespace ctnn {

struct tanh {
  static constexpr bool derivative_from_output = true;
  static constexpr const char* torch_name = "Tanh";
  template <class T> static T forward(T z) noexcept { return xsimd::tanh(z); }
  template <class T> static T derivative(T y) noexcept { return T(1) - y * y; }
};

}  // namespace ctnn
