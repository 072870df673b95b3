#pragma once
// sched::multistep: η_t = η γ^k, k = the number of milestones ≤ t (torch MultiStepLR).
#include <cmath>
#include <cstddef>
#include <vector>
#include <ctnn/sched/base_rate.hpp>
#include <string_view>

namespace ctnn::sched {

struct multistep {
  static constexpr std::string_view name = "multistep";
  double lr = from_optimizer;  ///< the optimizer's learning rate unless set (sched/base_rate.hpp)
  std::vector<std::size_t> milestones{};
  double gamma = 0.1;
  double operator()(std::size_t t) const {
    std::size_t k = 0;
    for (std::size_t m : milestones) k += m <= t;
    return detail::base_rate(lr, "multistep") * std::pow(gamma, double(k));
  }
};

}  // namespace ctnn::sched
