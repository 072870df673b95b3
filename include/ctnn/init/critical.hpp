#pragma once
// critical<σ_w, σ_b>: w ~ N(0, σ_w²/fan_in), b ~ N(0, σ_b²): for a tanh network, the
// mean-field "edge of chaos" init (Poole et al. 2016; Schoenholz et al. 2017) when σ_w is chosen
// so that χ₁ = σ_w² E[tanh'(√q* z)²] = 1 at the fixed point of the length map
//   q* = σ_w² E[tanh(√q* z)²] + σ_b²,   z ~ N(0, 1).
// critical_sigma_w(σ_b) returns that σ_w (1 for σ_b = 0, where q* = 0 and χ₁ = σ_w²).
#include <cmath>
#include <numbers>
#include <ctnn/init/concepts.hpp>
#include <ctnn/core/name_of.hpp>
#include <string_view>

namespace ctnn::init {

namespace mean_field {

/// E[f(z)], z ~ N(0, 1), by composite Simpson on [−10, 10] (the tails beyond hold < 1e-22).
template <class F>
double gaussian_expectation(F&& f) {
  constexpr int n = 4000;  // even
  constexpr double lo = -10.0, hi = 10.0, h = (hi - lo) / n;
  double sum = 0;
  for (int i = 0; i <= n; ++i) {
    const double z = lo + i * h;
    const double weight = (i == 0 || i == n) ? 1.0 : (i % 2 ? 4.0 : 2.0);
    sum += weight * f(z) * std::exp(-0.5 * z * z);
  }
  return sum * h / 3.0 / std::sqrt(2.0 * std::numbers::pi);
}

/// The fixed point q* of q ← σ_w² E[tanh(√q z)²] + σ_b² (iterated from q = 1).
inline double tanh_fixed_point(double sigma_w, double sigma_b) {
  double q = 1.0;
  for (int it = 0; it < 10000; ++it) {
    const double sq = std::sqrt(q);
    const double next = sigma_w * sigma_w * gaussian_expectation([&](double z) {
      const double t = std::tanh(sq * z);
      return t * t;
    }) + sigma_b * sigma_b;
    if (std::abs(next - q) < 1e-14 * std::max(1.0, q)) return next;
    q = next;
  }
  return q;
}

/// χ₁ = σ_w² E[tanh'(√q* z)²]: the mean squared singular value of one layer's Jacobian.
inline double tanh_chi1(double sigma_w, double sigma_b) {
  const double sq = std::sqrt(tanh_fixed_point(sigma_w, sigma_b));
  return sigma_w * sigma_w * gaussian_expectation([&](double z) {
    const double c = 1.0 / std::cosh(sq * z);
    return c * c * c * c;  // tanh' = sech², squared
  });
}

}  // namespace mean_field

/// σ_w with χ₁ = 1 for a tanh network with bias scale σ_b (bisection; χ₁ grows with σ_w).
inline double critical_sigma_w(double sigma_b) {
  if (sigma_b == 0.0) return 1.0;
  double lo = 1.0, hi = 4.0;
  for (int it = 0; it < 60; ++it) {
    const double mid = 0.5 * (lo + hi);
    (mean_field::tanh_chi1(mid, sigma_b) < 1.0 ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

template <double SigmaW, double SigmaB = 0.0>
struct critical {
  static std::string name() {
    return naming::compose("critical", {naming::arg(SigmaW), naming::arg("sigma_b", SigmaB, 0.0)});
  }
  template <class S>
  static void fill(std::span<S> w, fans f, rng& g) {
    const double sigma = SigmaW / std::sqrt(static_cast<double>(f.fan_in));
    for (auto& v : w) v = static_cast<S>(sigma * g.normal());
  }
  /// The bias draw is part of the policy: b ~ N(0, σ_b²).
  template <class S>
  static void fill_bias(std::span<S> b, fans, rng& g) {
    for (auto& v : b) v = static_cast<S>(SigmaB * g.normal());
  }
};

}  // namespace ctnn::init
