#pragma once
// sched::sgdr: cosine annealing with warm restarts (Loshchilov & Hutter 2017, arXiv:1608.03983;
// torch CosineAnnealingWarmRestarts). Period i lasts T_i = T_0 T_multⁱ steps; within it
//   η_t = η_min + ½ (η − η_min)(1 + cos(π T_cur / T_i))
#include <cmath>
#include <cstddef>
#include <numbers>
#include <ctnn/core/error.hpp>
#include <ctnn/sched/base_rate.hpp>
#include <string_view>

namespace ctnn::sched {

struct sgdr {
  static constexpr std::string_view name = "sgdr";
  double lr = from_optimizer;  ///< the optimizer's learning rate unless set (sched/base_rate.hpp)
  std::size_t t0 = 100;  ///< T_0 ≥ 1
  std::size_t t_mult = 1;
  double min_lr = 0.0;
  double operator()(std::size_t t) const {
    if (t0 == 0) throw error("ctnn::sched::sgdr: t0 must be at least 1");  // a period of 0 never ends
    const double eta = detail::base_rate(lr, "sgdr");
    std::size_t period = t0, cur = t;
    while (cur >= period) {
      cur -= period;
      period *= t_mult < 1 ? 1 : t_mult;  // T_mult ≥ 1
    }
    return min_lr + 0.5 * (eta - min_lr) * (1 + std::cos(std::numbers::pi * double(cur) / double(period)));
  }
};

}  // namespace ctnn::sched
