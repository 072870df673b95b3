#pragma once
// batch_source: gathers the rows of a dataset ({x: n × features, y: n labels or n × width
// targets}) for a list of sample indices into contiguous buffers of the model's scalar type.
// Buffers are sized once for the largest batch.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>
#include <cmath>
#include <fmt/format.h>
#include <ctnn/core/error.hpp>
#include <ctnn/core/aligned_buffer.hpp>

namespace ctnn::detail {

/// Checks a dataset against a network before any work: x is [n, in_features] of finite values;
/// y holds n labels in [0, classes) (classification) or is [n, out] ([n] when out is 1).
/// `who` names the caller in the message ("ctnn::fit", "ctnn::evaluate").
template <class Dataset>
void check_dataset(const Dataset& d, std::size_t in_features, std::size_t out_features, bool classification,
                   const char* who) {
  if (d.x.dimension() != 2)
    throw error(fmt::format("{}: x must be [samples, features], got a {}-D tensor", who, d.x.dimension()));
  // Samples are read as rows of x.data() (and of y.data()): another layout would be trained on
  // scrambled samples.
  if (d.x.layout() != xt::layout_type::row_major || d.y.layout() != xt::layout_type::row_major)
    throw error(fmt::format("{}: x and y must be row-major (xt::layout_type::row_major, xtensor's default); copy "
                            "a column-major tensor into a row-major one first",
                            who));
  const std::size_t n = d.x.shape()[0];
  if (d.x.shape()[1] != in_features)
    throw error(fmt::format("{}: the data has {} features per sample but the network's input<{}> expects {}", who,
                            d.x.shape()[1], in_features, in_features));
  if (d.y.dimension() == 0 || d.y.shape()[0] != n)
    throw error(fmt::format("{}: x has {} samples but y has {}", who, n, d.y.dimension() ? d.y.shape()[0] : 0));
  using label_type = typename std::decay_t<decltype(d.y)>::value_type;
  if (classification) {
    if (d.y.dimension() != 1 || !std::is_integral_v<label_type>)
      throw error(fmt::format("{}: this loss takes one integer class label per sample (y of shape [{}])", who, n));
    for (std::size_t i = 0; i < n; ++i) {
      const auto label = d.y.data()[i];
      if (label < 0 || static_cast<std::size_t>(label) >= out_features)
        throw error(fmt::format("{}: label {} of sample {} is outside [0, {}) (the network has {} outputs)", who,
                                static_cast<long long>(label), i, out_features, out_features));
    }
  } else {
    const bool ok = (d.y.dimension() == 2 && d.y.shape()[1] == out_features) ||
                    (d.y.dimension() == 1 && out_features == 1);
    if (!ok) {
      std::string got;
      for (std::size_t k = 0; k < d.y.dimension(); ++k) got += (k ? ", " : "") + std::to_string(d.y.shape()[k]);
      throw error(fmt::format("{}: targets must be [{}, {}] for this network, got [{}]", who, n, out_features, got));
    }
    for (std::size_t i = 0; i < d.y.size(); ++i)
      if (!std::isfinite(static_cast<double>(d.y.data()[i])))
        throw error(fmt::format("{}: target {} of sample {} is not finite", who, i % out_features, i / out_features));
  }
  const std::size_t width = d.x.shape()[1];
  for (std::size_t i = 0; i < n * width; ++i)
    if (!std::isfinite(static_cast<double>(d.x.data()[i])))
      throw error(fmt::format("{}: feature {} of sample {} is not finite ({})", who, i % width, i / width,
                              static_cast<double>(d.x.data()[i])));
}

template <class S, class Target, class Dataset>
class batch_source {
 public:
  explicit batch_source(const Dataset& d)
      : data_(d), features_(d.x.shape()[1]), target_width_(d.y.dimension() == 1 ? 1 : d.y.shape()[1]) {}

  void gather(const std::size_t* indices, std::size_t batch) {
    x_.reserve(batch * features_);
    t_.reserve(batch * target_width_);
    const auto* xs = data_.x.data();
    const auto* ys = data_.y.data();
    for (std::size_t b = 0; b < batch; ++b) {
      const std::size_t i = indices[b];
      std::copy(xs + i * features_, xs + (i + 1) * features_, x_.data() + b * features_);
      for (std::size_t j = 0; j < target_width_; ++j)
        t_[b * target_width_ + j] = static_cast<Target>(ys[i * target_width_ + j]);
    }
  }
  const S* x() const { return x_.data(); }
  const Target* targets() const { return t_.data(); }
  std::size_t target_width() const { return target_width_; }

 private:
  const Dataset& data_;
  std::size_t features_, target_width_;
  aligned_buffer<S> x_;
  aligned_buffer<Target> t_;
};

}  // namespace ctnn::detail
