#pragma once
// sched::exponential: η_t = η γᵗ (torch ExponentialLR).
#include <cmath>
#include <cstddef>
#include <ctnn/sched/base_rate.hpp>
#include <string_view>

namespace ctnn::sched {

struct exponential {
  static constexpr std::string_view name = "exponential";
  double lr = from_optimizer;  ///< the optimizer's learning rate unless set (sched/base_rate.hpp)
  double gamma = 0.99;
  double operator()(std::size_t t) const { return detail::base_rate(lr, "exponential") * std::pow(gamma, double(t)); }
};

}  // namespace ctnn::sched
