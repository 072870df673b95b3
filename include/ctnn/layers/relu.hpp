#pragma once
// relu: y = max(z, 0), NaN kept as NaN (as PyTorch); dy/dz = [y > 0] (the subgradient 0 is taken
// at z = 0, as PyTorch does).
#include <ctnn/core/simd.hpp>

namespace ctnn {

struct relu {
  static constexpr bool derivative_from_output = true;
  static constexpr const char* torch_name = "ReLU";
  // A select, not xsimd::max: the vector max returns its second operand when either is NaN, so
  // max(z, 0) turned a NaN weight's output into 0 and fit never saw the non-finite loss.
  template <class T> static T forward(T z) noexcept { return simd::select(z < T(0), T(0), z); }
  template <class T> static T derivative(T y) noexcept { return simd::select(y > T(0), T(1), T(0)); }
};

}  // namespace ctnn
