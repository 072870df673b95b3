#pragma once
// sched::one_cycle: the one-cycle policy (Smith & Topin 2017, arXiv:1708.07120), in
// torch.optim.lr_scheduler.OneCycleLR's two-phase form:
//   η_0 = η_max / div,   η_end = η_0 / final_div,   a = pct_start · T − 1,   b = T − 1
//   t ≤ a:  anneal(η_0 → η_max, t / a)
//   t > a:  anneal(η_max → η_end, (t − a)/(b − a))
//   anneal(x → y, q) = y + (x − y)(1 + cos(π q))/2   (cosine)   or   x + (y − x) q   (linear)
// t ≥ T holds the value of T − 1. Where the first phase is empty (a = 0: pct_start · T = 1) step 0
// is its end, η_max; torch divides 0 by 0 there and raises.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <numbers>
#include <fmt/format.h>
#include <ctnn/core/error.hpp>
#include <ctnn/sched/base_rate.hpp>
#include <string_view>

namespace ctnn::sched {

struct one_cycle {
  static constexpr std::string_view name = "one_cycle";
  double max_lr = from_optimizer;  ///< the optimizer's learning rate unless set (sched/base_rate.hpp)
  std::size_t total = 1000;  ///< T
  double pct_start = 0.3;
  double div_factor = 25.0;
  double final_div_factor = 1e4;
  bool linear = false;
  double operator()(std::size_t t) const {
    if (total == 0) throw error("ctnn::sched::one_cycle: total must be at least 1");
    if (!(pct_start >= 0 && pct_start <= 1))
      throw error(fmt::format("ctnn::sched::one_cycle: pct_start must lie in [0, 1], it is {}", pct_start));
    const double top = detail::base_rate(max_lr, "one_cycle", "max_lr");
    const double lo = top / div_factor, end = lo / final_div_factor;
    const double a = pct_start * double(total) - 1, b = double(total) - 1, x = double(std::min(t, total - 1));
    auto anneal = [&](double from, double to, double q) {
      return linear ? from + (to - from) * q : to + (from - to) * (1 + std::cos(std::numbers::pi * q)) / 2;
    };
    if (x <= a) return anneal(lo, top, a > 0 ? x / a : 1.0);
    return anneal(top, end, (x - a) / (b - a));
  }
};

}  // namespace ctnn::sched
