#pragma once
// ctnn::name_of<T>(): a short, readable name of a policy type, for the rows of an experiment
// grid's results (a grid is a list of types; ctnn::for_each_type walks it):
//
//   name_of<optim::adam>()                                    "adam"
//   name_of<optim::lookahead<optim::adam>>()                  "lookahead(adam)"
//   name_of<sched::warmup<sched::cosine>>()                   "warmup(cosine)"
//   name_of<init::normal<0.01>>()                             "normal(0.01)"
//   name_of<init::kaiming_normal<init::gain::tanh>>()         "kaiming_normal(gain=tanh)"
//   name_of<norm::batch_norm<>>()                             "batch_norm"
//
// Every optimizer, schedule, init and norm policy ctnn ships names itself; template arguments
// appear where they differ from the policy's defaults (required ones always, in order). Names are
// distinct within a family (optim::, sched::, init::, norm::), not across them (init::constant<V>
// and sched::constant, init:: and norm::net_default). A type names itself with
// `static std::string name()` or a `static constexpr std::string_view name`; any other type (a
// user's own policy) gets the compiler's spelling of it. A type derived from a policy inherits
// the policy's name (`struct my_adam : optim::adam {}` reads "adam"): give it its own.
#include <concepts>
#include <initializer_list>
#include <string>
#include <string_view>
#include <type_traits>

#include <fmt/format.h>

namespace ctnn {

template <class T>
std::string name_of();

namespace detail {

/// The compiler's spelling of T (GCC and Clang put it in __PRETTY_FUNCTION__ after "T = ").
template <class T>
constexpr std::string_view compiler_type_name() {
  const std::string_view f = __PRETTY_FUNCTION__;
  const std::size_t at = f.find("T = ");
  if (at == std::string_view::npos) return f;
  // GCC: "[with T = int [3]; std::string_view = ...]"; Clang: "[T = int [3]]".
  const std::string_view rest = f.substr(at + 4);
  const std::size_t end = rest.find(';');
  return rest.substr(0, end != std::string_view::npos ? end : rest.rfind(']'));
}

}  // namespace detail

/// Helpers for a policy's own name() (every shipped policy uses them; a user's policy may too):
///   static std::string name() { return naming::compose("normal", {naming::arg(Sigma), naming::arg("mean", Mean, 0.0)}); }
namespace naming {

/// One template argument of a name: `key=value`, or the value alone without a key; left out
/// when `shown` is false (the argument is its default).
struct argument {
  std::string_view key;
  std::string value;
  bool shown = true;
};

/// A required argument: always shown, without a key.
template <class V>
argument arg(const V& value) {
  return {{}, fmt::format("{}", value), true};
}

/// An argument with a default: shown as key=value where it differs from it.
template <class V>
argument arg(std::string_view key, const V& value, const V& fallback) {
  return {key, fmt::format("{}", value), !(value == fallback)};
}

/// A required type argument (an inner optimizer or schedule, a weight's init): its name.
template <class T>
argument type() {
  return {{}, name_of<T>(), true};
}

/// A type argument with a default type: shown as key=name_of<T>() where T is not Default.
template <class T, class Default>
argument type(std::string_view key) {
  return {key, name_of<T>(), !std::is_same_v<T, Default>};
}

/// "base", or "base(a, key=b, ...)" from the arguments shown.
inline std::string compose(std::string_view base, std::initializer_list<argument> args) {
  std::string out(base);
  bool first = true;
  for (const argument& a : args) {
    if (!a.shown) continue;
    out += first ? "(" : ", ";
    first = false;
    if (!a.key.empty()) {
      out += a.key;
      out += '=';
    }
    out += a.value;
  }
  if (!first) out += ')';
  return out;
}

}  // namespace naming

template <class T>
std::string name_of() {
  if constexpr (requires {
                  { T::name() } -> std::convertible_to<std::string>;
                })
    return std::string(T::name());
  else if constexpr (requires {
                       { T::name } -> std::convertible_to<std::string_view>;
                       requires !std::is_member_pointer_v<decltype(&T::name)>;  // not a data member
                     })
    return std::string(std::string_view(T::name));
  else
    return std::string(detail::compiler_type_name<T>());
}

}  // namespace ctnn
