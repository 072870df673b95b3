#pragma once
// for_each_type<List>(f): f.template operator()<T>() for each T of List (a std::tuple<Ts...>, as
// optim::all, sched::all, or a tuple of init or norm policies), in order. An experiment grid over
// types is then nested loops, expanded at compile time, each cell its own specialized code:
//
//   ctnn::for_each_type<std::tuple<ctnn::init::xavier_uniform<>, ctnn::init::kaiming_normal<>>>([&]<class Init>() {
//     ctnn::for_each_type<ctnn::optim::all>([&]<class Opt>() {
//       ctnn::model<ctnn::with_defaults<net, Init>> m{ctnn::seed{1}};
//       ctnn::fit(m, loss, Opt{}, data, options);
//     });
//   });
#include <tuple>
#include <utility>

namespace ctnn {

namespace detail {
template <class List>
struct for_each_type_impl;
template <class... Ts>
struct for_each_type_impl<std::tuple<Ts...>> {
  template <class F>
  static constexpr void run(F& f) {
    (f.template operator()<Ts>(), ...);
  }
};
}  // namespace detail

template <class List, class F>
constexpr void for_each_type(F&& f) {
  detail::for_each_type_impl<List>::run(f);
}

}  // namespace ctnn
