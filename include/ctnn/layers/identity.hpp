#pragma once
// identity: y = z, dy/dz = 1. The activation of a dense layer with none after it.
namespace ctnn {

struct identity {
  static constexpr bool derivative_from_output = true;
  static constexpr const char* torch_name = "Identity";
  template <class T> static T forward(T z) noexcept { return z; }
  template <class T> static T derivative(T) noexcept { return T(1); }
};

}  // namespace ctnn
