#pragma once
// relu: y = max(z, 0); dy/dz = [y > 0] (the subgradient 0 is taken at z = 0, as PyTorch does).
#include <ctnn/core/simd.hpp>

namespace ctnn {

struct relu {
  static constexpr bool derivative_from_output = true;
  static constexpr const char* torch_name = "ReLU";
  template <class T> static T forward(T z) noexcept { return xsimd::max(z, T(0)); }
  template <class T> static T derivative(T y) noexcept { return simd::select(y > T(0), T(1), T(0)); }
};

}  // namespace ctnn
