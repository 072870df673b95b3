#pragma once
// sched::constant: η_t = η.
#include <cstddef>

namespace ctnn::sched {

struct constant {
  double lr = 1e-3;
  double operator()(std::size_t) const { return lr; }
};

}  // namespace ctnn::sched
