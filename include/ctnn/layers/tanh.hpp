#pragma once
// tanh: y = tanh(z); dy/dz = 1 - y².
// float (scalar and vector alike) uses math::rational_tanh: ≤ 5 ulp, one division per vector;
// double uses xsimd's.
#include <type_traits>

#include <ctnn/core/rational_tanh.hpp>
#include <ctnn/core/simd.hpp>

namespace ctnn {

struct tanh {
  static constexpr bool derivative_from_output = true;
  static constexpr const char* torch_name = "Tanh";
  template <class T> static T forward(T z) noexcept {
    if constexpr (std::is_same_v<T, float> || std::is_same_v<T, xsimd::batch<float>>) return math::rational_tanh(z);
    else return xsimd::tanh(z);
  }
  template <class T> static T derivative(T y) noexcept { return T(1) - y * y; }
};

}  // namespace ctnn
