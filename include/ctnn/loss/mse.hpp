#pragma once
// mse: L = (1/(B·D)) Σ (y − t)², the mean over every element as PyTorch's MSELoss;
// ∂L/∂y = 2 (y − t) / (B·D).
#include <cmath>
#include <cstddef>
#include <fmt/format.h>
#include <ctnn/core/error.hpp>

namespace ctnn::loss {

struct mse {
  template <class S>
  using target = S;

  template <class S>
  static S value_and_grad(const S* y, const S* t, std::size_t batch, std::size_t width, S* dy) {
    const std::size_t n = batch * width;
    const S scale = gradient_scale<S>(batch, width);
    double total = 0;  // in double: a float sum over a large batch loses digits
    for (std::size_t i = 0; i < n; ++i) {
      const S d = y[i] - t[i];
      total += static_cast<double>(d) * static_cast<double>(d);
      if (dy) dy[i] = scale * d;
    }
    return static_cast<S>(total / static_cast<double>(n));
  }

  /// Rows [r0, r1) of the batch's ∂L/∂y, the bits value_and_grad writes there (a pipelined step
  /// takes the gradient block by block, graph/pipeline_step.hpp).
  template <class S>
  static void gradient_rows(const S* y, const S* t, std::size_t batch, std::size_t width, std::size_t r0,
                            std::size_t r1, S* dy) {
    const S scale = gradient_scale<S>(batch, width);
    for (std::size_t i = r0 * width; i < r1 * width; ++i) dy[i] = scale * (y[i] - t[i]);
  }

  template <class S>
  static S gradient_scale(std::size_t batch, std::size_t width) {
    return S(2) / static_cast<S>(batch * width);
  }

  template <class S>
  static void check_targets(const S* t, std::size_t batch, std::size_t width) {
    for (std::size_t i = 0; i < batch * width; ++i)
      if (!std::isfinite(t[i]))
        throw error(fmt::format("ctnn::loss::mse: target {} of sample {} is not finite ({})",
                                i % width, i / width, t[i]));
  }
};

}  // namespace ctnn::loss
