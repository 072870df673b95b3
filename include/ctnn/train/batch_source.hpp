#pragma once
// batch_source: gathers the rows of a dataset ({x: n × features, y: n labels or n × width
// targets}) for a list of sample indices into contiguous buffers of the model's scalar type.
// Buffers are sized once for the largest batch.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <vector>
#include <ctnn/core/aligned_buffer.hpp>

namespace ctnn::detail {

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
