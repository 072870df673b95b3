#pragma once
// The Schedule contract: a value type that maps the optimizer step t = 0, 1, 2, ... to a
// learning rate, `double operator()(std::size_t t) const`. Stateful schedules
// (reduce_on_plateau) also take observations through their own method. The trainer asks the
// schedule before each update:
//   tr.apply_update(static_cast<scalar>(schedule(step++)));
// A sched:: schedule's base rate defaults to the optimizer's (sched/base_rate.hpp), which fit fills
// in; in a loop of your own, set it (.lr) or call sched::fill_base_rate(schedule, tr.base_learning_rate()).
#include <concepts>
#include <cstddef>

namespace ctnn {

template <class T>
concept Schedule = std::copy_constructible<T> && requires(const T s, std::size_t t) {
  { s(t) } -> std::convertible_to<double>;
};

}  // namespace ctnn
