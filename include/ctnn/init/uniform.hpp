#pragma once
// uniform<a>: w ~ U(−a, a), variance a²/3, a fixed scale whatever the fans.
#include <ctnn/init/concepts.hpp>

namespace ctnn::init {

template <double A>
struct uniform {
  static_assert(A >= 0, "ctnn::init::uniform<a>: a must be non-negative");
  template <class S>
  static void fill(std::span<S> w, fans, rng& g) {
    for (auto& v : w) v = static_cast<S>(g.uniform(-A, A));
  }
};

}  // namespace ctnn::init
