#pragma once
// init::net_default: the Init a dense layer gets when it names none (dense<256>). It stands for
// "the network's default": the Init of ctnn::with_defaults<Net, Init, Norm> when the network is
// wrapped in one, else kaiming_normal<> (the library default). graph/compile.hpp resolves it
// before binding, so no bound node ever carries this tag; its fill is kaiming_normal<>'s so it
// still is an InitPolicy on its own.
#include <ctnn/init/concepts.hpp>
#include <ctnn/init/kaiming_normal.hpp>
#include <string_view>

namespace ctnn::init {

/// The library-wide default init policy (what dense<Out> gets without with_defaults).
using library_default = kaiming_normal<>;

struct net_default {
  static constexpr std::string_view name = "net_default";
  static constexpr bool is_net_default = true;
  template <class S>
  static void fill(std::span<S> w, fans f, rng& g) {
    library_default::fill(w, f, g);
  }
};

}  // namespace ctnn::init
