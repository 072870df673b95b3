#pragma once
// type_list and the few operations on it the graph compiler needs (concatenation by a
// fold over operator+, not by recursion).
#include <cstddef>
#include <utility>

namespace ctnn::detail {

template <class... Ts>
struct type_list {
  static constexpr std::size_t size = sizeof...(Ts);
};

template <class... As, class... Bs>
constexpr type_list<As..., Bs...> operator+(type_list<As...>, type_list<Bs...>) {
  return {};
}

template <class... Lists>
using concat_t = decltype((Lists{} + ... + type_list<>{}));

template <class T, std::size_t>
using always_t = T;

/// The list L repeated K times.
template <class L, std::size_t K>
struct repeat_list {
  template <std::size_t... I>
  static auto make(std::index_sequence<I...>) -> concat_t<always_t<L, I>...>;
  using type = decltype(make(std::make_index_sequence<K>{}));
};

}  // namespace ctnn::detail
