#pragma once
// sched::constant: η_t = η.
#include <cstddef>
#include <ctnn/sched/base_rate.hpp>

namespace ctnn::sched {

struct constant {
  double lr = from_optimizer;  ///< the optimizer's learning rate unless set (sched/base_rate.hpp)
  double operator()(std::size_t) const { return detail::base_rate(lr, "constant"); }
};

}  // namespace ctnn::sched
