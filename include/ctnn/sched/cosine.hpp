#pragma once
// sched::cosine: cosine annealing with a floor (Loshchilov & Hutter 2017, arXiv:1608.03983,
// one period; torch CosineAnnealingLR's closed form):
//   η_t = η_min + ½ (η − η_min)(1 + cos(π min(t, T)/T))
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <numbers>
#include <ctnn/core/error.hpp>
#include <ctnn/sched/base_rate.hpp>
#include <string_view>

namespace ctnn::sched {

struct cosine {
  static constexpr std::string_view name = "cosine";
  double lr = from_optimizer;  ///< the optimizer's learning rate unless set (sched/base_rate.hpp)
  std::size_t total = 1000;  ///< T: steps to reach the floor; constant at η_min afterwards
  double min_lr = 0.0;
  double operator()(std::size_t t) const {
    if (total == 0) throw error("ctnn::sched::cosine: total must be at least 1");  // else 0/0 at every step
    const double eta = detail::base_rate(lr, "cosine");
    const double x = double(std::min(t, total)) / double(total);
    return min_lr + 0.5 * (eta - min_lr) * (1 + std::cos(std::numbers::pi * x));
  }
};

}  // namespace ctnn::sched
