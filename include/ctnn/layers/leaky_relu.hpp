#pragma once
// leaky_relu<Slope>: y = z for z > 0, Slope·z otherwise (Slope a std::ratio, default 1/100 as
// PyTorch's LeakyReLU). For Slope > 0 the sign of y is the sign of z, so dy/dz = y > 0 ? 1 : Slope.
#include <ratio>
#include <ctnn/core/simd.hpp>

namespace ctnn {

template <class Slope = std::ratio<1, 100>>
struct leaky_relu {
  static_assert(Slope::num > 0 && Slope::num < Slope::den,
                "ctnn::leaky_relu: the slope must lie in (0, 1) so the derivative can be read off the output");
  static constexpr double slope = static_cast<double>(Slope::num) / static_cast<double>(Slope::den);
  static constexpr bool derivative_from_output = true;
  static constexpr const char* torch_name = "LeakyReLU";
  template <class T> static T forward(T z) noexcept { return simd::select(z > T(0), z, T(slope) * z); }
  template <class T> static T derivative(T y) noexcept { return simd::select(y > T(0), T(1), T(slope)); }
};

}  // namespace ctnn
