#pragma once
// schedule_function: what fit_options::schedule holds. Any callable double(std::size_t step): a
// ctnn::sched:: schedule, a lambda, a std::function, or std::ref(s) of a schedule that changes
// between calls. fit binds it once, before training, to the optimizer's learning rate: a base rate
// the schedule leaves to the optimizer (sched::from_optimizer, the default) becomes that rate
// (sched/base_rate.hpp).
//
// A schedule that changes through observe() (sched::reduce_on_plateau) is a compile error when
// given by value: fit would step with a copy that never sees an observation, and the rate would
// never drop. std::ref(plateau) keeps it shared (fit then fills the referenced schedule's rate).
#include <cstddef>
#include <functional>
#include <type_traits>
#include <utility>
#include <ctnn/sched/base_rate.hpp>

namespace ctnn {

namespace detail {
template <class T>
inline constexpr bool is_reference_wrapper = false;
template <class T>
inline constexpr bool is_reference_wrapper<std::reference_wrapper<T>> = true;
template <class T>
inline constexpr bool is_std_function = false;
template <class Sig>
inline constexpr bool is_std_function<std::function<Sig>> = true;

/// A schedule given by value whose state observe() changes (the type shown).
template <class Schedule>
struct expect_schedule_by_reference {
  static constexpr bool stateful = requires(Schedule& s) { s.observe(0.0); };
  static_assert(!stateful,
                "ctnn::fit_options::schedule: this schedule changes when observe() is called, but fit would keep a "
                "copy that never sees an observation: pass std::ref(schedule)");
  static constexpr bool value = !stateful;
};
}  // namespace detail

class schedule_function {
 public:
  using rate_function = std::function<double(std::size_t)>;

  schedule_function() = default;

  template <class F>
    requires(!std::is_same_v<std::decay_t<F>, schedule_function> &&
             std::is_invocable_r_v<double, const std::decay_t<F>&, std::size_t>)
  schedule_function(F&& f) {  // NOLINT: implicit, so that `.schedule = sched::cosine{...}` reads as before
    using T = std::decay_t<F>;
    if constexpr (detail::is_std_function<T> || std::is_pointer_v<T>)
      if (!f) return;  // an empty std::function or a null pointer: no schedule
    if constexpr (detail::is_reference_wrapper<T>) {
      bind_ = [ref = T(f)](double lr) {
        sched::fill_base_rate(ref.get(), lr);
        return rate_function(ref);
      };
    } else if constexpr (detail::expect_schedule_by_reference<T>::value) {
      bind_ = [s = T(std::forward<F>(f))](double lr) {
        T bound = s;
        sched::fill_base_rate(bound, lr);
        return rate_function(std::move(bound));
      };
    }
  }

  explicit operator bool() const noexcept { return static_cast<bool>(bind_); }

  /// The rate for each step, with the base rates left to the optimizer set to `optimizer_lr`.
  rate_function bind(double optimizer_lr) const { return bind_(optimizer_lr); }

  /// The rate at step t as the schedule was given (a base rate left to the optimizer is an error).
  double operator()(std::size_t t) const { return bind(sched::from_optimizer)(t); }

 private:
  std::function<rate_function(double)> bind_;
};

}  // namespace ctnn
