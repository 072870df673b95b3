#pragma once
// normalize_row: the per-sample normalizations (layer_norm, group_norm over features, rms_norm)
// of one row of Width = G·n features, vectorized, with an activation after them:
//   per group: μ = (1/n) Σ z (0 when not centered), σ² = (1/n) Σ (z − μ)², r = 1/√(σ² + ε),
//   x̂ = (z − μ) r,  yn = γ ⊙ x̂ + β,  y = Act(yn)
// The standalone norm layer and the dense layer's normalizing epilogue
// (dense_forward_normalized.hpp) both call it, so a fused forward gives the same bits as the
// unfused one. The sums are two vector chains plus a scalar tail, in a fixed order: the result
// does not depend on where the row lies in memory or on the thread that computes it.
#include <cmath>
#include <cstddef>

#include <ctnn/core/simd.hpp>
#include <ctnn/kernels/gemm_microkernel.hpp>

namespace ctnn::kernels {

/// One row. z: Width inputs; gamma (and beta when HasBias): Width; xhat, yn: Width outputs;
/// r: G outputs; y: Width outputs, or null when no activation follows (yn is then the output).
template <std::size_t Width, std::size_t G, bool Centered, bool HasBias, class Act, class S>
CTNN_KERNEL_INLINE void normalize_row(const S* z, const S* gamma, const S* beta, S eps, S* xhat, S* r, S* yn, S* y) {
  using V = detail::vec<S>;
  constexpr std::size_t L = detail::lanes<S>;
  constexpr std::size_t n = Width / G, nv = n / L * L;
  for (std::size_t grp = 0; grp < G; ++grp) {
    const std::size_t o = grp * n;
    const S* zg = z + o;
    S mu = S(0);
    if constexpr (Centered) {
      V s0(S(0)), s1(S(0));
      std::size_t j = 0;
      for (; j + 2 * L <= nv; j += 2 * L) {
        s0 += V::load_unaligned(zg + j);
        s1 += V::load_unaligned(zg + j + L);
      }
      if (j < nv) s0 += V::load_unaligned(zg + j);
      S s = xsimd::hadd(s0 + s1);
      for (std::size_t t = nv; t < n; ++t) s += zg[t];
      mu = s / S(n);
    }
    const V muv(mu);
    V q0(S(0)), q1(S(0));
    std::size_t j = 0;
    for (; j + 2 * L <= nv; j += 2 * L) {
      const V d0 = V::load_unaligned(zg + j) - muv, d1 = V::load_unaligned(zg + j + L) - muv;
      q0 = simd::fma(d0, d0, q0);
      q1 = simd::fma(d1, d1, q1);
    }
    if (j < nv) {
      const V d0 = V::load_unaligned(zg + j) - muv;
      q0 = simd::fma(d0, d0, q0);
    }
    S q = xsimd::hadd(q0 + q1);
    for (std::size_t t = nv; t < n; ++t) q += (zg[t] - mu) * (zg[t] - mu);
    const S inv = S(1) / std::sqrt(q / S(n) + eps);
    r[grp] = inv;
    const V invv(inv);
    for (std::size_t k = 0; k < n; k += L) {
      const std::size_t m = n - k < L ? n - k : L;
      const V xh = (detail::load_n(zg + k, m) - muv) * invv;
      V v = detail::load_n(gamma + o + k, m) * xh;
      if constexpr (HasBias) v += detail::load_n(beta + o + k, m);
      detail::store_n(xhat + o + k, xh, m);
      detail::store_n(yn + o + k, v, m);
      if (y) detail::store_n(y + o + k, Act::forward(v), m);
    }
  }
}

/// Rows [0, rows) of row-major arrays (row stride Width; r: stride G).
template <std::size_t Width, std::size_t G, bool Centered, bool HasBias, class Act, class S>
void normalize_rows(const S* z, std::size_t rows, const S* gamma, const S* beta, S eps, S* xhat, S* r, S* yn, S* y) {
  for (std::size_t i = 0; i < rows; ++i)
    normalize_row<Width, G, Centered, HasBias, Act>(z + i * Width, gamma, beta, eps, xhat + i * Width, r + i * G,
                                                    yn + i * Width, y ? y + i * Width : nullptr);
}

}  // namespace ctnn::kernels
