#pragma once
// sched::warmup<Inner>: linear warmup in front of any schedule (Goyal et al. 2017,
// arXiv:1706.02677):
//   t < W:   η_t = Inner(0) · (f + (1 − f) t / W)       (f = start_factor)
//   t ≥ W:   η_t = Inner(t − W)                          (the inner schedule starts after warmup)
//   sched::warmup<sched::cosine>{.steps = 500, .inner = {.lr = 0.1, .total = 10000}}
#include <cstddef>
#include <ctnn/sched/concepts.hpp>
#include <ctnn/core/name_of.hpp>
#include <string_view>

namespace ctnn::sched {

template <class Inner>
struct warmup {
  static std::string name() { return naming::compose("warmup", {naming::type<Inner>()}); }
  static_assert(Schedule<Inner>, "warmup<Inner> requires Inner to be a Schedule");
  std::size_t steps = 100;
  double start_factor = 0.0;
  Inner inner{};
  double operator()(std::size_t t) const {
    if (t >= steps) return inner(t - steps);
    return inner(0) * (start_factor + (1 - start_factor) * double(t) / double(steps));
  }
};

}  // namespace ctnn::sched
