#pragma once
// schedule_function: what fit_options::schedule (a rate per global step) and
// fit_options::learning_rate (a rate per epoch) hold. Any callable double(std::size_t): a
// ctnn::sched:: schedule, a lambda (mutable too), a std::function, a function, or std::ref(s) of a
// schedule that changes between calls. fit binds it once, before training, to the optimizer's
// learning rate: a base rate the schedule leaves to the optimizer (sched::from_optimizer, the
// default) becomes that rate (sched/base_rate.hpp). Only a schedule given directly (or through
// std::ref) is filled in: fit cannot see into a lambda or a std::function.
//
// A schedule that changes through observe() (sched::reduce_on_plateau, also inside warmup<>) is a
// compile error when given by value: fit would step with a copy that never sees an observation,
// and the rate would never drop. std::ref(plateau) keeps it shared; fit then writes the
// optimizer's rate into the referenced schedule's unset base rate, where it stays (a schedule
// reused for a run with another optimizer keeps the first one's rate: set .lr, or use a fresh one).
#include <cmath>
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

/// Whether a schedule changes through observe(), itself or a schedule it wraps (warmup's inner).
template <class Schedule>
constexpr bool observes() {
  if constexpr (requires(Schedule& s) { s.observe(0.0); }) return true;
  else if constexpr (requires(Schedule& s) { s.inner; })
    return observes<std::remove_cvref_t<decltype(std::declval<Schedule&>().inner)>>();
  else return false;
}

/// A schedule given by value whose state observe() changes (the type shown).
template <class Schedule>
struct expect_schedule_by_reference {
  static_assert(!observes<Schedule>(),
                "ctnn::fit_options::schedule: this schedule changes when observe() is called, but fit would keep a "
                "copy that never sees an observation: pass std::ref(schedule)");
  static constexpr bool value = !observes<Schedule>();
};
}  // namespace detail

class schedule_function {
 public:
  using rate_function = std::function<double(std::size_t)>;

  schedule_function() = default;
  schedule_function(std::nullptr_t) noexcept {}  // NOLINT: `.schedule = nullptr` clears it, as for std::function

  template <class F>
    requires(!std::is_same_v<std::decay_t<F>, schedule_function> &&
             std::is_invocable_r_v<double, std::decay_t<F>&, std::size_t>)
  schedule_function(F&& f) {  // NOLINT: implicit, so that `.schedule = sched::cosine{...}` reads as before
    using T = std::decay_t<F>;
    if constexpr (detail::is_std_function<T> || std::is_pointer_v<std::remove_reference_t<F>>)
      if (!f) return;  // an empty std::function or a null pointer: no schedule
    if constexpr (detail::is_reference_wrapper<T>) {
      bind_ = [ref = T(f)](double lr) {
        sched::fill_base_rate(ref.get(), lr);
        return rate_function(ref);
      };
      takes_rate_ = [ref = T(f)] { return sched::leaves_base_rate(ref.get()); };
    } else if constexpr (detail::expect_schedule_by_reference<T>::value) {
      bind_ = [s = T(std::forward<F>(f))](double lr) {
        T bound = s;
        sched::fill_base_rate(bound, lr);
        return rate_function(std::move(bound));
      };
      const bool takes = sched::leaves_base_rate(f);
      takes_rate_ = [takes] { return takes; };
    }
  }

  explicit operator bool() const noexcept { return static_cast<bool>(bind_); }
  friend bool operator==(const schedule_function& f, std::nullptr_t) noexcept { return !f; }

  /// The rate for each step (or epoch), with the base rates left to the optimizer set to
  /// `optimizer_lr` (left unset where it is not finite: the schedule's error then says so).
  rate_function bind(double optimizer_lr) const {
    return bind_(std::isfinite(optimizer_lr) ? optimizer_lr : sched::from_optimizer);
  }

  /// Whether the schedule, as given, leaves a base rate to the optimizer (one fit will fill in).
  bool takes_optimizer_rate() const { return takes_rate_ && takes_rate_(); }

  /// The rate at step t as the schedule was given (a base rate left to the optimizer is an error).
  double operator()(std::size_t t) const { return bind_(sched::from_optimizer)(t); }

 private:
  std::function<rate_function(double)> bind_;
  std::function<bool()> takes_rate_;
};

}  // namespace ctnn
