#pragma once
// sched::constant: η_t = η.
#include <cstddef>
#include <ctnn/sched/base_rate.hpp>
#include <string_view>

namespace ctnn::sched {

struct constant {
  static constexpr std::string_view name = "constant";
  double lr = from_optimizer;  ///< the optimizer's learning rate unless set (sched/base_rate.hpp)
  double operator()(std::size_t) const { return detail::base_rate(lr, "constant"); }
};

}  // namespace ctnn::sched
