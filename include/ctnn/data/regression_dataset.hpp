#pragma once
// regression_dataset: n samples with real-valued targets, as fit and evaluate consume them with a
// regression loss (loss::mse).
//   x: n × features, row-major float
//   y: n × targets, row-major float (one column per network output)
// Build one with make_regression, which checks the shapes and that every target is finite once (fit
// checks the features).
#include <cmath>
#include <cstddef>
#include <fmt/format.h>
#include <xtensor/xtensor.hpp>
#include <ctnn/core/error.hpp>

namespace ctnn::data {

struct regression_dataset {
  xt::xtensor<float, 2> x;  // n × features
  xt::xtensor<float, 2> y;  // n × targets

  std::size_t size() const noexcept { return x.shape(0); }
  std::size_t features() const noexcept { return x.shape(1); }
  std::size_t targets() const noexcept { return y.shape(1); }
};

/// Wraps x and y into a regression_dataset after checking that they have the same number of rows
/// and that y is finite; throws ctnn::error naming the first offending row.
inline regression_dataset make_regression(xt::xtensor<float, 2> x, xt::xtensor<float, 2> y) {
  if (x.shape(0) != y.shape(0))
    throw error(fmt::format("make_regression: x has {} rows but y has {}", x.shape(0), y.shape(0)));
  if (y.shape(1) == 0) throw error("make_regression: y has no target columns");
  for (std::size_t i = 0; i < y.shape(0); ++i)
    for (std::size_t k = 0; k < y.shape(1); ++k)
      if (!std::isfinite(y(i, k)))
        throw error(fmt::format("make_regression: target y[{}, {}] = {} is not finite", i, k, y(i, k)));
  regression_dataset d;
  d.x = std::move(x);
  d.y = std::move(y);
  return d;
}

}  // namespace ctnn::data
