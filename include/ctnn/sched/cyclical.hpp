#pragma once
// sched::cyclical: cyclical learning rates (Smith 2017, arXiv:1506.01186; torch CyclicLR):
//   c = ⌊1 + t/(2s)⌋,   x = |t/s − 2c + 1|
//   η_t = η_min + (η_max − η_min) max(0, 1 − x) · scale
//   scale = 1 (triangular), 1/2^(c−1) (triangular2), γᵗ (exp_range)
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <ctnn/core/error.hpp>
#include <ctnn/sched/base_rate.hpp>
#include <string_view>

namespace ctnn::sched {

enum class cycle_mode { triangular, triangular2, exp_range };

struct cyclical {
  static constexpr std::string_view name = "cyclical";
  double min_lr = std::numeric_limits<double>::quiet_NaN();  ///< required: the bottom of the cycle
  double max_lr = from_optimizer;  ///< the optimizer's learning rate unless set (sched/base_rate.hpp)
  std::size_t step_size = 2000;  ///< s: half a cycle
  cycle_mode mode = cycle_mode::triangular;
  double gamma = 1.0;  ///< exp_range only
  double operator()(std::size_t t) const {
    if (step_size == 0) throw error("ctnn::sched::cyclical: step_size must be at least 1");  // else NaN
    const double s = double(step_size), cyc = std::floor(1 + double(t) / (2 * s));
    const double x = std::abs(double(t) / s - 2 * cyc + 1);
    const double scale = mode == cycle_mode::triangular    ? 1.0
                         : mode == cycle_mode::triangular2 ? 1 / std::pow(2.0, cyc - 1)
                                                           : std::pow(gamma, double(t));
    const double top = detail::base_rate(max_lr, "cyclical", "max_lr");
    if (std::isnan(min_lr)) throw error("ctnn::sched::cyclical: set .min_lr, the bottom of the cycle (.max_lr, its top, defaults to the optimizer's learning rate)");
    return min_lr + (top - min_lr) * std::max(0.0, 1 - x) * scale;
  }
};

}  // namespace ctnn::sched
