#pragma once
// sched::step: η_t = η γ^⌊t / s⌋ (torch.optim.lr_scheduler.StepLR).
#include <cmath>
#include <cstddef>

namespace ctnn::sched {

struct step {
  double lr = 0.1;
  std::size_t step_size = 30;
  double gamma = 0.1;
  double operator()(std::size_t t) const { return lr * std::pow(gamma, double(t / step_size)); }
};

}  // namespace ctnn::sched
