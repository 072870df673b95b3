#pragma once
// Metrics for ctnn::evaluate. A metric accumulates over batches of network outputs and targets.
//   metric::accuracy   fraction of samples whose largest output is the label (argmax; ties → lowest index)
//   metric::mean_loss<L>  the loss L averaged over every sample
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <type_traits>

namespace ctnn::metric {

struct accuracy {
  std::size_t correct = 0, total = 0;
  template <class S>
  void add(const S* y, const std::int32_t* labels, std::size_t batch, std::size_t width) {
    for (std::size_t i = 0; i < batch; ++i) {
      const S* row = y + i * width;
      std::size_t best = 0;
      bool finite = std::isfinite(row[0]);
      for (std::size_t j = 1; j < width; ++j) {
        finite &= std::isfinite(row[j]);
        if (row[j] > row[best]) best = j;
      }
      correct += finite && best == static_cast<std::size_t>(labels[i]);  // a NaN row is never right
    }
    total += batch;
  }
  double result() const { return total ? static_cast<double>(correct) / static_cast<double>(total) : 0.0; }
};

template <class LossFn>
struct mean_loss {
  double sum = 0;
  std::size_t total = 0;
  template <class S, class T>
    requires std::is_same_v<T, typename LossFn::template target<S>>
  void add(const S* y, const T* targets, std::size_t batch, std::size_t width) {
    sum += static_cast<double>(LossFn::value_and_grad(y, targets, batch, width, static_cast<S*>(nullptr))) *
           static_cast<double>(batch);
    total += batch;
  }
  double result() const { return total ? sum / static_cast<double>(total) : 0.0; }
};

}  // namespace ctnn::metric
