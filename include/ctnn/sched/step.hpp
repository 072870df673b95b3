#pragma once
// sched::step: η_t = η γ^⌊t / s⌋ (torch.optim.lr_scheduler.StepLR).
#include <cmath>
#include <cstddef>
#include <ctnn/core/error.hpp>
#include <ctnn/sched/base_rate.hpp>
#include <string_view>

namespace ctnn::sched {

struct step {
  static constexpr std::string_view name = "step";
  double lr = from_optimizer;  ///< the optimizer's learning rate unless set (sched/base_rate.hpp)
  std::size_t step_size = 30;
  double gamma = 0.1;
  double operator()(std::size_t t) const {
    if (step_size == 0) throw error("ctnn::sched::step: step_size must be at least 1");  // t / 0 killed the process
    return detail::base_rate(lr, "step") * std::pow(gamma, double(t / step_size));
  }
};

}  // namespace ctnn::sched
