#pragma once
// orthogonal<Gain> (Saxe et al. 2014): W = gain · Q, Q from the QR decomposition of a Gaussian
// matrix with the sign correction Q ← Q · diag(sign(diag R)) so Q is Haar-distributed (Mezzadri
// 2007). For a non-square [rows, cols] weight the result is semi-orthogonal: WᵀW = gain² I when
// rows ≥ cols, W Wᵀ = gain² I otherwise (as torch.nn.init.orthogonal_). A convolution weight is
// the matrix [out channels, in channels · k²] (fans::rows()), as PyTorch flattens it.
// QR by modified Gram–Schmidt in double, applied twice ("twice is enough") for orthogonality to
// rounding level.
#include <cmath>
#include <vector>
#include <ctnn/init/concepts.hpp>
#include <ctnn/core/name_of.hpp>
#include <string_view>

namespace ctnn::init {

template <double Gain = 1.0>
struct orthogonal {
  static std::string name() { return naming::compose("orthogonal", {naming::arg("gain", Gain, 1.0)}); }
  template <class S>
  static void fill(std::span<S> w, fans f, rng& g) {
    const std::size_t rows = f.rows(), cols = f.fan_in;
    // Orthonormalize the columns of a tall m×n matrix A (m ≥ n), stored column-major.
    const bool tall = rows >= cols;
    const std::size_t m = tall ? rows : cols, n = tall ? cols : rows;
    std::vector<double> a(m * n);
    for (auto& v : a) v = g.normal();
    for (std::size_t j = 0; j < n; ++j) {
      double* aj = &a[j * m];
      for (int pass = 0; pass < 2; ++pass)
        for (std::size_t k = 0; k < j; ++k) {
          const double* ak = &a[k * m];
          double dot = 0;
          for (std::size_t i = 0; i < m; ++i) dot += ak[i] * aj[i];
          for (std::size_t i = 0; i < m; ++i) aj[i] -= dot * ak[i];
        }
      double norm = 0;
      for (std::size_t i = 0; i < m; ++i) norm += aj[i] * aj[i];
      norm = std::sqrt(norm);
      // R's diagonal is this norm, always positive in Gram–Schmidt: the sign correction that
      // Householder QR needs is already built in, and Q is Haar-distributed.
      for (std::size_t i = 0; i < m; ++i) aj[i] /= norm;
    }
    // W[r][c]: tall → W = Q (rows × cols), column c of Q; wide → W = Qᵀ.
    for (std::size_t r = 0; r < rows; ++r)
      for (std::size_t c = 0; c < cols; ++c)
        w[r * cols + c] = static_cast<S>(Gain * (tall ? a[c * m + r] : a[r * m + c]));
  }
};

}  // namespace ctnn::init
