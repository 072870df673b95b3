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

  template <class S>
  static S value_and_grad(const S* z, const std::int32_t* t, std::size_t batch, std::size_t classes,
                          S* dz) {
    double total = 0;
    const S inv_batch = S(1) / static_cast<S>(batch);
    for (std::size_t i = 0; i < batch; ++i) {
      const S* zi = z + i * classes;
      S m = zi[0];
      for (std::size_t j = 1; j < classes; ++j) m = std::max(m, zi[j]);
      S sum = 0;
      if (dz) {
        S* di = dz + i * classes;
        for (std::size_t j = 0; j < classes; ++j) sum += (di[j] = std::exp(zi[j] - m));
        const S scale = inv_batch / sum;
        for (std::size_t j = 0; j < classes; ++j) di[j] *= scale;
        di[t[i]] -= inv_batch;
      } else {
        for (std::size_t j = 0; j < classes; ++j) sum += std::exp(zi[j] - m);
      }
      total += static_cast<double>(std::log(sum) + m - zi[t[i]]);
    }
    return static_cast<S>(total / static_cast<double>(batch));
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
