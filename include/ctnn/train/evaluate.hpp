#pragma once
// evaluate(m, data, metric): the metric over a whole dataset, in inference batches of 512
// (small enough to stay in cache, large enough for the GEMMs to run at speed), in evaluation
// mode (running statistics); the model's mode is restored afterwards.
//   double acc = ctnn::evaluate(m, test, ctnn::metric::accuracy{});
#include <cstddef>
#include <numeric>
#include <vector>
#include <fmt/format.h>
#include <ctnn/core/error.hpp>
#include <ctnn/core/model.hpp>
#include <ctnn/train/batch_source.hpp>

namespace ctnn {

template <class Net, class S, class Dataset, class Metric>
double evaluate(model<Net, S>& m, const Dataset& data, Metric metric, std::size_t batch = 512) {
  using model_type = model<Net, S>;
  using target_type = std::conditional_t<std::is_integral_v<typename std::decay_t<decltype(data.y)>::value_type>,
                                         std::int32_t, S>;
  // metric::accuracy takes integer labels, metric::mean_loss<L> L's targets: one error that says so
  // (else g++ printed "no matching function for call to accuracy::add").
  constexpr bool metric_fits = requires(Metric& mt, const S* y, const target_type* t) { mt.add(y, t, batch, batch); };
  static_assert(metric_fits, "ctnn::evaluate: this metric does not take the dataset's targets (metric::accuracy needs "
                             "integer class labels; metric::mean_loss<L> the targets of loss L: integer labels for "
                             "softmax_cross_entropy, real values for mse)");
  detail::check_dataset(data, model_type::in_features, model_type::out_features, std::is_integral_v<target_type>,
                        "ctnn::evaluate");
  const std::size_t n = data.x.shape()[0];
  if (n == 0) throw error("ctnn::evaluate: the dataset is empty");
  if (batch == 0) throw error("ctnn::evaluate: the batch size must be positive");
  detail::batch_source<S, target_type, Dataset> source(data);
  struct restore_mode {
    model_type& m;
    ctnn::mode saved;
    ~restore_mode() { m.set_mode(saved); }
  } restore{m, m.current_mode()};
  m.eval();
  std::vector<std::size_t> idx(std::min(batch, n));
  for (std::size_t start = 0; start < n; start += batch) {
    const std::size_t b = std::min(batch, n - start);
    std::iota(idx.begin(), idx.begin() + static_cast<std::ptrdiff_t>(b), start);
    source.gather(idx.data(), b);
    const S* y = m.forward(source.x(), b);
    if constexpr (metric_fits) metric.add(y, source.targets(), b, model_type::out_features);
  }
  m.detach_input();  // the gathered inputs are local
  return metric.result();
}

}  // namespace ctnn
