#pragma once
// sched::cyclical: cyclical learning rates (Smith 2017, arXiv:1506.01186; torch CyclicLR):
//   c = ⌊1 + t/(2s)⌋,   x = |t/s − 2c + 1|
//   η_t = η_min + (η_max − η_min) max(0, 1 − x) · scale
//   scale = 1 (triangular), 1/2^(c−1) (triangular2), γᵗ (exp_range)
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <ctnn/core/error.hpp>

namespace ctnn::sched {

enum class cycle_mode { triangular, triangular2, exp_range };

struct cyclical {
  double min_lr = 1e-3;
  double max_lr = 6e-3;
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
    return min_lr + (max_lr - min_lr) * std::max(0.0, 1 - x) * scale;
  }
};

}  // namespace ctnn::sched
