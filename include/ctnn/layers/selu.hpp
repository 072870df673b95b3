#pragma once
// selu (Klambauer et al. 2017): y = λ z for z > 0, λ α (e^z − 1) otherwise.
// dy/dz = λ for y > 0, y + λ α otherwise (since λ α e^z = y + λ α).
#include <ctnn/core/simd.hpp>

namespace ctnn {

struct selu {
  static constexpr double lambda = 1.0507009873554804934193349852946;
  static constexpr double alpha = 1.6732632423543772848170429916717;
  static constexpr bool derivative_from_output = true;
  static constexpr const char* torch_name = "SELU";
  template <class T> static T forward(T z) noexcept {
    return simd::select(z > T(0), T(lambda) * z, T(lambda * alpha) * (xsimd::exp(z) - T(1)));
  }
  template <class T> static T derivative(T y) noexcept {
    return simd::select(y > T(0), T(lambda), y + T(lambda * alpha));
  }
};

}  // namespace ctnn
