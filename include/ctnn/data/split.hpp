#pragma once
// split_train_validation: a labeled_dataset cut into a training and a validation part.
// The validation part gets round(n × validation_fraction) samples; with shuffle the samples are
// assigned by a seeded permutation (the same seed gives the same split everywhere), otherwise the
// last samples are the validation part. Each part keeps the original relative order of its samples.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <vector>
#include <fmt/format.h>
#include <xtensor/xtensor.hpp>
#include <ctnn/core/error.hpp>
#include <ctnn/core/rng.hpp>
#include <ctnn/data/dataset.hpp>

namespace ctnn::data {

struct train_validation {
  labeled_dataset train, validation;
};

namespace detail {
inline labeled_dataset take_rows(const labeled_dataset& d, const std::vector<std::size_t>& rows) {
  const std::size_t f = d.features();
  xt::xtensor<float, 2> x = xt::empty<float>({rows.size(), f});
  xt::xtensor<std::int32_t, 1> y = xt::empty<std::int32_t>({rows.size()});
  for (std::size_t i = 0; i < rows.size(); ++i) {
    std::copy_n(d.x.data() + rows[i] * f, f, x.data() + i * f);
    y(i) = d.y(rows[i]);
  }
  labeled_dataset out;
  out.x = std::move(x);
  out.y = std::move(y);
  out.classes = d.classes;
  return out;
}
}  // namespace detail

inline train_validation split_train_validation(const labeled_dataset& d, double validation_fraction,
                                               std::uint64_t seed = 0, bool shuffle = true) {
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
