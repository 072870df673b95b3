#pragma once
// with_bias<WeightInit, BiasInit>: a dense layer's weights from one policy, its bias from
// another (by default every dense bias starts at zero; a policy may also bring its own
// fill_bias, as critical<σ_w, σ_b> does).
#include <ctnn/init/concepts.hpp>
#include <ctnn/core/name_of.hpp>
#include <string_view>

namespace ctnn::init {

template <InitPolicy WeightInit, InitPolicy BiasInit>
struct with_bias {
  static std::string name() {
    return naming::compose("with_bias", {naming::type<WeightInit>(), naming::type<BiasInit>()});
  }
  template <class S>
  static void fill(std::span<S> w, fans f, rng& g) {
    WeightInit::fill(w, f, g);
  }
  template <class S>
  static void fill_bias(std::span<S> b, fans f, rng& g) {
    BiasInit::fill(b, f, g);
  }
};

}  // namespace ctnn::init
