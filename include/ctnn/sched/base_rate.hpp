#pragma once
// A schedule's base rate (lr; one_cycle's and cyclical's max_lr) defaults to the optimizer's own
// learning rate, as PyTorch's schedulers start from the optimizer's lr: the default value
// sched::from_optimizer is a placeholder that fit replaces with the optimizer's lr
// (fill_base_rate). So `optim::adam{.lr = 1e-3}` with `sched::cosine{.total = T}` anneals from
// 1e-3; a rate the schedule sets itself (`.lr = 0.1`) is used as set. A schedule called outside
// fit with its rate still left to the optimizer is an error that says so, not a NaN.
#include <cmath>
#include <limits>
#include <fmt/format.h>
#include <ctnn/core/error.hpp>

namespace ctnn::sched {

/// The default of a schedule's base rate: "the optimizer's learning rate" (filled in by fit).
inline constexpr double from_optimizer = std::numeric_limits<double>::quiet_NaN();

namespace detail {
/// A base rate (field `field` of sched::`schedule`) as set, or the error for one still left to the
/// optimizer.
inline double base_rate(double rate, const char* schedule, const char* field = "lr") {
  if (std::isnan(rate))
    throw error(fmt::format("ctnn::sched::{0}: .{1} is left to the optimizer's learning rate (sched::from_optimizer), "
                            "and nothing filled it in: fit fills it from the optimizer's lr, when that is finite, for a "
                            "schedule given directly as fit_options::schedule or learning_rate (or std::ref of one); "
                            "inside a lambda or a std::function, or in a loop of your own, set .{1} (or call "
                            "sched::fill_base_rate(schedule, lr))",
                            schedule, field));
  return rate;
}
}  // namespace detail

/// Whether s leaves a base rate to the optimizer (lr or max_lr unset, its own or warmup's inner).
template <class Schedule>
bool leaves_base_rate(const Schedule& s) {
  bool unset = false;
  if constexpr (requires { s.lr + 1.0; }) unset |= std::isnan(double(s.lr));
  if constexpr (requires { s.max_lr + 1.0; }) unset |= std::isnan(double(s.max_lr));
  if constexpr (requires { s.inner; }) unset |= leaves_base_rate(s.inner);
  return unset;
}

/// Sets every base rate of s that is left to the optimizer (lr, max_lr; those of warmup's inner
/// schedule too) to lr. Rates the schedule sets itself are kept.
template <class Schedule>
void fill_base_rate(Schedule& s, double lr) {
  if constexpr (requires { s.lr = 1.0; })
    if (std::isnan(s.lr)) s.lr = lr;
  if constexpr (requires { s.max_lr = 1.0; })
    if (std::isnan(s.max_lr)) s.max_lr = lr;
  if constexpr (requires { s.inner; }) fill_base_rate(s.inner, lr);
}

}  // namespace ctnn::sched
