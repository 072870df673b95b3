#pragma once
// sched::one_cycle: the one-cycle policy (Smith & Topin 2017, arXiv:1708.07120), in
// torch.optim.lr_scheduler.OneCycleLR's two-phase form:
//   η_0 = η_max / div,   η_end = η_0 / final_div,   a = pct_start · T − 1,   b = T − 1
//   t ≤ a:  anneal(η_0 → η_max, t / a)
//   t > a:  anneal(η_max → η_end, (t − a)/(b − a))
//   anneal(x → y, q) = y + (x − y)(1 + cos(π q))/2   (cosine)   or   x + (y − x) q   (linear)
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <numbers>

namespace ctnn::sched {

struct one_cycle {
  double max_lr = 0.1;
  std::size_t total = 1000;  ///< T
  double pct_start = 0.3;
  double div_factor = 25.0;
  double final_div_factor = 1e4;
  bool linear = false;
  double operator()(std::size_t t) const {
    const double lo = max_lr / div_factor, end = lo / final_div_factor;
    const double a = pct_start * double(total) - 1, b = double(total) - 1, x = double(std::min(t, total - 1));
    auto anneal = [&](double from, double to, double q) {
      return linear ? from + (to - from) * q : to + (from - to) * (1 + std::cos(std::numbers::pi * q)) / 2;
    };
    return x <= a ? anneal(lo, max_lr, x / a) : anneal(max_lr, end, (x - a) / (b - a));
  }
};

}  // namespace ctnn::sched
