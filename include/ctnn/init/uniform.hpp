#pragma once
// uniform<a>: w ~ U(−a, a), variance a²/3, a fixed scale whatever the fans.
#include <ctnn/init/concepts.hpp>
#include <ctnn/core/name_of.hpp>
#include <string_view>

namespace ctnn::init {

template <double A>
struct uniform {
  static std::string name() { return naming::compose("uniform", {naming::arg(A)}); }
  static_assert(A >= 0, "ctnn::init::uniform<a>: a must be non-negative");
  template <class S>
  static void fill(std::span<S> w, fans, rng& g) {
    for (auto& v : w) v = static_cast<S>(g.uniform(-A, A));
  }
};

}  // namespace ctnn::init
