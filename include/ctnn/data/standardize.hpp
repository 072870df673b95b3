#pragma once
// standardizer: per-feature standardization x' = (x − mean) / std, with mean and (population)
// standard deviation measured on the training split only and then applied unchanged to every
// split, so no validation statistics leak into training. A constant feature (std = 0) is only
// centred. Statistics are accumulated in double.
//
//   auto parts = ctnn::data::split_train_validation(all, 0.1, 7);
//   auto s = ctnn::data::standardizer::fit(parts.train.x);
//   s.apply(parts.train.x);  s.apply(parts.validation.x);
#include <cmath>
#include <cstddef>
#include <vector>
#include <fmt/format.h>
#include <xtensor/xtensor.hpp>
#include <ctnn/core/error.hpp>

namespace ctnn::data {

struct standardizer {
  std::vector<double> mean, scale;  ///< scale = 1 / std (1 for a constant feature)

  static standardizer fit(const xt::xtensor<float, 2>& x) {
    const std::size_t n = x.shape(0), f = x.shape(1);
    if (n == 0) throw error("standardizer::fit: no samples");
    standardizer s;
    s.mean.assign(f, 0.0);
    s.scale.assign(f, 0.0);
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = 0; j < f; ++j) s.mean[j] += x(i, j);
    for (auto& m : s.mean) m /= static_cast<double>(n);
    for (std::size_t i = 0; i < n; ++i)  // two passes: no cancellation from E[x²] − E[x]²
      for (std::size_t j = 0; j < f; ++j) s.scale[j] += (x(i, j) - s.mean[j]) * (x(i, j) - s.mean[j]);
    for (std::size_t j = 0; j < f; ++j) {
      const double sd = std::sqrt(s.scale[j] / static_cast<double>(n));
      if (!std::isfinite(sd) || !std::isfinite(s.mean[j]))
        throw error(fmt::format("standardizer::fit: feature {} has a non-finite mean or deviation", j));
      s.scale[j] = sd > 0 ? 1.0 / sd : 1.0;
    }
    return s;
  }

  void apply(xt::xtensor<float, 2>& x) const {
    if (x.shape(1) != mean.size())
      throw error(fmt::format("standardizer::apply: the data has {} features, the statistics {}", x.shape(1), mean.size()));
    for (std::size_t i = 0; i < x.shape(0); ++i)
      for (std::size_t j = 0; j < mean.size(); ++j) x(i, j) = static_cast<float>((x(i, j) - mean[j]) * scale[j]);
  }
};

}  // namespace ctnn::data
