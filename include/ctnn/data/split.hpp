#pragma once
// split_train_validation: a labeled_dataset or a regression_dataset cut into a training and a
// validation part.
// The validation part gets round(n × validation_fraction) samples; with shuffle the samples are
// assigned by a seeded permutation (the same seed gives the same split everywhere), otherwise the
// last samples are the validation part. Each part keeps the original relative order of its samples.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <type_traits>
#include <vector>
#include <fmt/format.h>
#include <xtensor/xtensor.hpp>
#include <ctnn/core/error.hpp>
#include <ctnn/core/rng.hpp>
#include <ctnn/data/dataset.hpp>
#include <ctnn/data/regression_dataset.hpp>

namespace ctnn::data {

/// The two parts of a split dataset D.
template <class D>
struct split_parts {
  D train, validation;
};
using train_validation = split_parts<labeled_dataset>;

namespace detail {
/// The rows `rows` of a 2-D tensor, in that order.
template <class T>
xt::xtensor<T, 2> take_rows(const xt::xtensor<T, 2>& a, const std::vector<std::size_t>& rows) {
  const std::size_t w = a.shape(1);
  xt::xtensor<T, 2> out = xt::empty<T>({rows.size(), w});
  for (std::size_t i = 0; i < rows.size(); ++i) std::copy_n(a.data() + rows[i] * w, w, out.data() + i * w);
  return out;
}
inline labeled_dataset take_rows(const labeled_dataset& d, const std::vector<std::size_t>& rows) {
  labeled_dataset out;
  out.x = take_rows(d.x, rows);
  out.y = xt::empty<std::int32_t>({rows.size()});
  for (std::size_t i = 0; i < rows.size(); ++i) out.y(i) = d.y(rows[i]);
  out.classes = d.classes;
  return out;
}
inline regression_dataset take_rows(const regression_dataset& d, const std::vector<std::size_t>& rows) {
  regression_dataset out;
  out.x = take_rows(d.x, rows);
  out.y = take_rows(d.y, rows);
  return out;
}
}  // namespace detail

template <class D>
  requires std::is_same_v<D, labeled_dataset> || std::is_same_v<D, regression_dataset>
split_parts<D> split_train_validation(const D& d, double validation_fraction, std::uint64_t seed = 0,
                                      bool shuffle = true) {
  if (!(validation_fraction >= 0.0 && validation_fraction < 1.0))
    throw error(fmt::format("split_train_validation: validation_fraction {} is not in [0, 1)", validation_fraction));
  const std::size_t n = d.size();
  const auto nv = static_cast<std::size_t>(std::llround(static_cast<double>(n) * validation_fraction));
  if (nv >= n)
    throw error(fmt::format("split_train_validation: {} samples with validation_fraction {} leave no training samples",
                            n, validation_fraction));
  // Asked for a validation part that rounds to none: an error here, not an empty set that evaluate
  // rejects later (a fraction of 0 asks for none and gets none).
  if (nv == 0 && validation_fraction > 0.0)
    throw error(fmt::format("split_train_validation: {} samples × validation_fraction {} rounds to no validation "
                            "samples",
                            n, validation_fraction));
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  if (shuffle) {
    rng g(seed, 0x5b1170);
    for (std::size_t i = n - 1; i > 0; --i) std::swap(order[i], order[g.below(i + 1)]);
  }
  std::vector<std::size_t> train(order.begin(), order.end() - static_cast<std::ptrdiff_t>(nv));
  std::vector<std::size_t> val(order.end() - static_cast<std::ptrdiff_t>(nv), order.end());
  std::sort(train.begin(), train.end());
  std::sort(val.begin(), val.end());
  return {detail::take_rows(d, train), detail::take_rows(d, val)};
}

}  // namespace ctnn::data
