#pragma once
// Gains for the nonlinearity that follows a layer, as torch.nn.init.calculate_gain:
// linear/sigmoid 1, relu √2, leaky_relu √(2/(1+s²)), tanh 5/3, selu 3/4.
#include <cmath>
#include <ratio>
#include <ctnn/core/name_of.hpp>
#include <string_view>

namespace ctnn::init::gain {

struct linear { static constexpr double value = 1.0; static constexpr std::string_view name = "linear"; };
struct sigmoid { static constexpr double value = 1.0; static constexpr std::string_view name = "sigmoid"; };
struct relu { static constexpr double value = 1.4142135623730950488; static constexpr std::string_view name = "relu"; };
struct tanh { static constexpr double value = 5.0 / 3.0; static constexpr std::string_view name = "tanh"; };
struct selu { static constexpr double value = 0.75; static constexpr std::string_view name = "selu"; };
template <class Slope = std::ratio<1, 100>>
struct leaky_relu {
  static constexpr double slope = static_cast<double>(Slope::num) / Slope::den;
  static inline const double value = std::sqrt(2.0 / (1.0 + slope * slope));
  static std::string name() { return naming::compose("leaky_relu", {naming::arg("slope", slope, 0.01)}); }
};

}  // namespace ctnn::init::gain
