#pragma once
// labeled_dataset: n samples for classification, as the trainer consumes them.
//   x: n × features, row-major float, already scaled (e.g. pixels in [0, 1])
//   y: n labels, each in [0, classes)
// Build one with make_labeled, which checks those invariants once so the trainer need not.
#include <ctnn/core/error.hpp>

#include <ctnn/core/xtensor.hpp>
#include <fmt/format.h>

#include <cstddef>
#include <cstdint>
#include <utility>

namespace ctnn::data {

struct labeled_dataset {
  xt::xtensor<float, 2> x;         // n × features
  xt::xtensor<std::int32_t, 1> y;  // n
  std::size_t classes = 0;

  std::size_t size() const noexcept { return x.shape(0); }
  std::size_t features() const noexcept { return x.shape(1); }
};

/// Wraps x, y and classes into a labeled_dataset after checking that x has one row per label and
/// that every label lies in [0, classes); throws ctnn::error naming the first offending index.
inline labeled_dataset make_labeled(xt::xtensor<float, 2> x, xt::xtensor<std::int32_t, 1> y, std::size_t classes) {
  if (x.shape(0) != y.size())
    throw error(fmt::format("make_labeled: x has {} rows but y has {} labels", x.shape(0), y.size()));
  if (classes == 0 && y.size() > 0) throw error(fmt::format("make_labeled: classes is 0 but there are {} labels", y.size()));
  for (std::size_t i = 0; i < y.size(); ++i) {
    if (y(i) < 0 || static_cast<std::size_t>(y(i)) >= classes)
      throw error(fmt::format("make_labeled: label y[{}] = {} is out of range [0, {})", i, y(i), classes));
  }
  labeled_dataset d;
  d.x = std::move(x);
  d.y = std::move(y);
  d.classes = classes;
  return d;
}

}  // namespace ctnn::data
