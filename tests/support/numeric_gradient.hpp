#pragma once
// Central finite differences of a model's loss with respect to every parameter, in double:
//   ∂L/∂θ_i ≈ (L(θ + h e_i) − L(θ − h e_i)) / 2h,  truncation error O(h²), round-off O(ε L / h).
// With h = 1e-5 both stay near 1e-10 for the O(1) losses of these small nets.
#include <cmath>
#include <cstddef>
#include <vector>
#include <ctnn/ctnn.hpp>

namespace ctnn_test {

template <class Model, class LossFn, class Target>
double loss_at(Model& m, const std::vector<double>& x, const std::vector<Target>& t, std::size_t batch) {
  const double* y = m.forward(x.data(), batch);
  return LossFn::value_and_grad(y, t.data(), batch, Model::out_features, static_cast<double*>(nullptr));
}

template <class Model, class LossFn, class Target>
std::vector<double> numeric_gradient(Model& m, const std::vector<double>& x, const std::vector<Target>& t,
                                     std::size_t batch, double h = 1e-5) {
  auto p = m.parameters();
  std::vector<double> g(p.size(), 0.0);
  for (const auto& s : Model::slots)
    for (std::size_t i = s.offset; i < s.offset + s.size(); ++i) {
      const double keep = p[i];
      p[i] = keep + h;
      const double up = loss_at<Model, LossFn>(m, x, t, batch);
      p[i] = keep - h;
      const double down = loss_at<Model, LossFn>(m, x, t, batch);
      p[i] = keep;
      g[i] = (up - down) / (2 * h);
    }
  return g;
}

/// ‖a − b‖₂ / max(‖a‖₂, ‖b‖₂).
inline double relative_error(const std::vector<double>& a, const std::vector<double>& b) {
  double d = 0, na = 0, nb = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    d += (a[i] - b[i]) * (a[i] - b[i]);
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return std::sqrt(d) / std::max({std::sqrt(na), std::sqrt(nb), 1e-300});
}

}  // namespace ctnn_test
