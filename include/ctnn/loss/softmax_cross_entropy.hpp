#pragma once
// softmax_cross_entropy: L = (1/B) Σ_i [log Σ_j e^{z_ij} − z_i,t_i], targets are class indices.
// ∂L/∂z_ij = (softmax(z_i)_j − [j = t_i]) / B: computed with the value in one pass per row,
// with the row maximum subtracted first so e^z never overflows. As PyTorch's CrossEntropyLoss.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <fmt/format.h>
#include <xsimd/xsimd.hpp>
#include <ctnn/core/error.hpp>

namespace ctnn::loss {

struct softmax_cross_entropy {
  template <class S>
  using target = std::int32_t;
  /// One output per class, at least two (loss::outputs_fit).
  static constexpr std::size_t min_outputs = 2;

  template <class S>
  static S value_and_grad(const S* z, const std::int32_t* t, std::size_t batch, std::size_t classes,
                          S* dz) {
    double total = 0;
    const S inv_batch = S(1) / static_cast<S>(batch);
    for (std::size_t i = 0; i < batch; ++i)
      total += static_cast<double>(row(z + i * classes, t[i], classes, inv_batch, dz ? dz + i * classes : nullptr));
    return static_cast<S>(total / static_cast<double>(batch));
  }

  /// Rows [r0, r1) of the batch's ∂L/∂z, the bits value_and_grad writes there (a pipelined step
  /// takes the gradient block by block, graph/pipeline_step.hpp).
  template <class S>
  static void gradient_rows(const S* z, const std::int32_t* t, std::size_t batch, std::size_t classes,
                            std::size_t r0, std::size_t r1, S* dz) {
    const S inv_batch = S(1) / static_cast<S>(batch);
    for (std::size_t i = r0; i < r1; ++i) row(z + i * classes, t[i], classes, inv_batch, dz + i * classes);
  }

  /// One sample's log Σ_j e^{z_j} − z_label; its gradient row into dz when not null.
  template <class S>
  static S row(const S* zi, std::int32_t label, std::size_t classes, S inv_batch, S* dz) {
    S m = zi[0];
    for (std::size_t j = 1; j < classes; ++j) m = std::max(m, zi[j]);
    S sum = 0;
    if (dz) {
      for (std::size_t j = 0; j < classes; ++j) sum += (dz[j] = std::exp(zi[j] - m));
      const S scale = inv_batch / sum;
      for (std::size_t j = 0; j < classes; ++j) dz[j] *= scale;
      dz[label] -= inv_batch;
    } else {
      for (std::size_t j = 0; j < classes; ++j) sum += std::exp(zi[j] - m);
    }
    // m − z_label first: both are large where the logits are (1e4) and their difference is exact,
    // while log(sum) + m rounded the small log(sum) to the ulp of m (1.6e-4 off at 1e4 in float).
    return std::log(sum) + (m - zi[label]);
  }

  static void check_targets(const std::int32_t* t, std::size_t batch, std::size_t classes) {
    for (std::size_t i = 0; i < batch; ++i)
      if (t[i] < 0 || static_cast<std::size_t>(t[i]) >= classes)
        throw error(fmt::format("ctnn::loss::softmax_cross_entropy: label {} of sample {} is outside "
                                "[0, {}) (the network has {} outputs)",
                                t[i], i, classes, classes));
  }
};

}  // namespace ctnn::loss
