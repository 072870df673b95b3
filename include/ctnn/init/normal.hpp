#pragma once
// normal<σ, μ>: w ~ N(μ, σ²), a fixed scale whatever the fans (the "naive" init whose signal
// shrinks or grows by σ²·fan per layer; catalogue A2).
#include <ctnn/init/concepts.hpp>
#include <ctnn/core/name_of.hpp>
#include <string_view>

namespace ctnn::init {

template <double Sigma, double Mean = 0.0>
struct normal {
  static std::string name() {
    return naming::compose("normal", {naming::arg(Sigma), naming::arg("mean", Mean, 0.0)});
  }
  static_assert(Sigma >= 0, "ctnn::init::normal<σ>: σ must be non-negative");
  template <class S>
  static void fill(std::span<S> w, fans, rng& g) {
    for (auto& v : w) v = static_cast<S>(Mean + Sigma * g.normal());
  }
};

}  // namespace ctnn::init
