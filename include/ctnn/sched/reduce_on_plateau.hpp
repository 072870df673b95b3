#pragma once
// sched::reduce_on_plateau: multiply the rate by `factor` when a metric has not improved for
// more than `patience` observations (torch ReduceLROnPlateau, mode "min", threshold "rel"):
//   improved  ⇔  metric < best (1 − threshold)
//   bad = 0 on improvement, else bad + 1; during cooldown bad = 0
//   bad > patience:  η ← max(η · factor, η_min),  cooldown restarts,  bad = 0
// operator()(t) returns the current rate whatever t; observe(metric) drives it (once an epoch).
// Its state (current, best, bad, cooling) lives in this object, not in fit's checkpoints: a run
// resumed from a checkpoint needs it saved and restored beside the checkpoint by the caller.
#include <algorithm>
#include <cstddef>
#include <limits>
#include <ctnn/sched/base_rate.hpp>
#include <string_view>

namespace ctnn::sched {

struct reduce_on_plateau {
  static constexpr std::string_view name = "reduce_on_plateau";
  double lr = from_optimizer;  ///< the optimizer's learning rate unless set (sched/base_rate.hpp)
  double factor = 0.1;
  std::size_t patience = 10;
  double threshold = 1e-4;
  std::size_t cooldown = 0;
  double min_lr = 0.0;

  double current = -1;  ///< the rate now (lr until the first reduction); state
  double best = std::numeric_limits<double>::infinity();
  std::size_t bad = 0, cooling = 0;

  double operator()(std::size_t) const { return current < 0 ? detail::base_rate(lr, "reduce_on_plateau") : current; }

  /// Feeds one metric value (lower is better); returns true when the rate was reduced.
  bool observe(double metric) {
    if (current < 0) current = detail::base_rate(lr, "reduce_on_plateau");
    if (metric < best * (1 - threshold)) {
      best = metric;
      bad = 0;
    } else {
      ++bad;
    }
    if (cooling > 0) {
      --cooling;
      bad = 0;
    }
    if (bad > patience) {
      const double next = std::max(current * factor, min_lr);
      const bool reduced = current - next > 1e-8;
      current = next;
      cooling = cooldown;
      bad = 0;
      return reduced;
    }
    return false;
  }
};

}  // namespace ctnn::sched
