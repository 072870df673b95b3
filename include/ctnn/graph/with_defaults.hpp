#pragma once
// with_defaults<Net, Init, Norm>: the network Net (a sequential<input<N>, ...>) with Init and Norm
// as the defaults of every dense and conv2d layer that does not choose its own, at any depth (inside
// repeat<> and residual<> too):
//
//   using net = ctnn::sequential<ctnn::input<784>, ctnn::dense<256>, ctnn::relu,
//                                ctnn::dense<10, ctnn::init::zeros>>;
//   ctnn::model<ctnn::with_defaults<net, ctnn::init::xavier_uniform<>, ctnn::norm::layer_norm<>>> m;
//   // first layer: xavier_uniform<> + layer_norm<>; last: zeros (its own), layer_norm<> (default)
//
// "Does not choose its own" means the argument was left out (dense<256> is
// dense<256, init::net_default, norm::net_default>); a layer that spells a policy, even the
// library default kaiming_normal<> or norm::none, keeps it. Without with_defaults the defaults are
// kaiming_normal<> and norm::none.
#include <cstddef>
#include <ctnn/graph/repeat.hpp>
#include <ctnn/graph/residual.hpp>
#include <ctnn/graph/sequential.hpp>
#include <ctnn/init/concepts.hpp>
#include <ctnn/init/net_default.hpp>
#include <ctnn/layers/conv2d.hpp>
#include <ctnn/layers/dense.hpp>
#include <ctnn/norm/concepts.hpp>
#include <ctnn/norm/net_default.hpp>
#include <ctnn/norm/none.hpp>

namespace ctnn {

template <class Net, class Init, class Norm = norm::none>
struct with_defaults {
  static_assert(expect_init_policy<Init>::value && expect_norm_policy<Norm>::value);
  using network = Net;
  using init_policy = Init;
  using norm_policy = Norm;
};

}  // namespace ctnn

namespace ctnn::detail {

template <class Init, class Default>
using resolve_init_t = std::conditional_t<std::is_same_v<Init, init::net_default>, Default, Init>;
template <class Norm, class Default>
using resolve_norm_t = std::conditional_t<std::is_same_v<Norm, norm::net_default>, Default, Norm>;

/// L with the defaults Init and Norm filled in wherever a dense layer left them to the network.
template <class L, class Init, class Norm>
struct apply_defaults {
  using type = L;
};
template <class L, class Init, class Norm>
using apply_defaults_t = typename apply_defaults<L, Init, Norm>::type;

// A layer whose sizes are its own error (dense<0>, a conv2d with a zero size) stays as written: with
// its defaults filled in it would be another type, and its static_assert would fire a second time.
template <std::size_t Out, class I, class N, class Init, class Norm>
struct apply_defaults<dense<Out, I, N>, Init, Norm> {
  using type = std::conditional_t<Out == 0, dense<Out, I, N>, dense<Out, resolve_init_t<I, Init>, resolve_norm_t<N, Norm>>>;
};
template <std::size_t Out, std::size_t K, std::size_t S, std::size_t P, class I, class N, class Init, class Norm>
struct apply_defaults<conv2d<Out, K, S, P, I, N>, Init, Norm> {
  using type = std::conditional_t<Out == 0 || K == 0 || S == 0, conv2d<Out, K, S, P, I, N>,
                                  conv2d<Out, K, S, P, resolve_init_t<I, Init>, resolve_norm_t<N, Norm>>>;
};
template <class... Ls, class Init, class Norm>
struct apply_defaults<shortcut<Ls...>, Init, Norm> {
  using type = shortcut<apply_defaults_t<Ls, Init, Norm>...>;
};
template <std::size_t K, class... Ls, class Init, class Norm>
struct apply_defaults<repeat<K, Ls...>, Init, Norm> {
  using type = repeat<K, apply_defaults_t<Ls, Init, Norm>...>;
};
template <class... Ls, class Init, class Norm>
struct apply_defaults<residual<Ls...>, Init, Norm> {
  using type = residual<apply_defaults_t<Ls, Init, Norm>...>;
};
template <class... Ls, class Init, class Norm>
struct apply_defaults<sequential<Ls...>, Init, Norm> {
  using type = sequential<apply_defaults_t<Ls, Init, Norm>...>;
};

}  // namespace ctnn::detail
