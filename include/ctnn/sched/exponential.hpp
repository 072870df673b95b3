#pragma once
// sched::exponential: η_t = η γᵗ (torch ExponentialLR).
#include <cmath>
#include <cstddef>

namespace ctnn::sched {

struct exponential {
  double lr = 0.1;
  double gamma = 0.99;
  double operator()(std::size_t t) const { return lr * std::pow(gamma, double(t)); }
};

}  // namespace ctnn::sched
