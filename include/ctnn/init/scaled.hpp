#pragma once
// The variance-scaling family in one place: Var w = gain² / fan, fan chosen by the policy, drawn
// from a normal or from a uniform of the same variance (U(−a, a), a = √3 · σ).
//   lecun:   fan = fan_in,                       gain 1            (LeCun et al. 1998)
//   xavier:  fan = (fan_in + fan_out) / 2,       gain for the act. (Glorot & Bengio 2010)
//   kaiming: fan = fan_in or fan_out (Mode),     gain √2 for ReLU  (He et al. 2015)
#include <cmath>
#include <ctnn/init/concepts.hpp>
#include <ctnn/init/gain.hpp>

namespace ctnn::init {

enum class distribution { normal, uniform };
enum class fan_rule { in, out, average };

/// Var w = Gain² / fan(Rule), drawn from Dist.
template <distribution Dist, fan_rule Rule, class Gain>
struct variance_scaling {
  static double stddev(fans f) {
    const double fan = Rule == fan_rule::in    ? static_cast<double>(f.fan_in)
                       : Rule == fan_rule::out ? static_cast<double>(f.fan_out)
                                               : 0.5 * static_cast<double>(f.fan_in + f.fan_out);
    return Gain::value / std::sqrt(fan);
  }
  template <class S>
  static void fill(std::span<S> w, fans f, rng& g) {
    const double sigma = stddev(f);
    if constexpr (Dist == distribution::normal) {
      for (auto& v : w) v = static_cast<S>(sigma * g.normal());
    } else {
      const double a = std::sqrt(3.0) * sigma;
      for (auto& v : w) v = static_cast<S>(g.uniform(-a, a));
    }
  }
};

constexpr fan_rule to_rule(fan_mode m) { return m == fan_mode::in ? fan_rule::in : fan_rule::out; }

}  // namespace ctnn::init
