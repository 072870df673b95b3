#pragma once
// Scalar references of the dense kernels: plain loops, same signatures less the workspace.
// The tests compare the optimized kernels against these. Dot products accumulate in S in k
// order (no compensation), like a naive implementation would.
#include <cmath>
#include <cstddef>

namespace ctnn::kernels::ref {

template <std::size_t In, std::size_t Out, class Act, class S>
void dense_forward(const S* x, std::size_t batch, const S* w, const S* b, S* y, S* z) {
  for (std::size_t i = 0; i < batch; ++i)
    for (std::size_t o = 0; o < Out; ++o) {
      S s = 0;
      for (std::size_t k = 0; k < In; ++k) s += x[i * In + k] * w[o * In + k];
      s += b[o];
      if (z) z[i * Out + o] = s;
      y[i * Out + o] = Act::forward(s);
    }
}

template <std::size_t In, std::size_t Out, class PrevAct, class S>
void dense_backward_input(const S* dz, std::size_t batch, const S* w, const S* saved, S* dx) {
  for (std::size_t i = 0; i < batch; ++i)
    for (std::size_t n = 0; n < In; ++n) {
      S s = 0;
      for (std::size_t o = 0; o < Out; ++o) s += dz[i * Out + o] * w[o * In + n];
      dx[i * In + n] = saved ? s * PrevAct::derivative(saved[i * In + n]) : s;
    }
}

template <std::size_t In, std::size_t Out, class S>
void dense_backward_weights(const S* dz, const S* x, std::size_t batch, S* dw, S* db, bool accumulate) {
  for (std::size_t o = 0; o < Out; ++o) {
    for (std::size_t n = 0; n < In; ++n) {
      S s = 0;
      for (std::size_t i = 0; i < batch; ++i) s += dz[i * Out + o] * x[i * In + n];
      dw[o * In + n] = accumulate ? dw[o * In + n] + s : s;
    }
    if (db) {
      S s = 0;
      for (std::size_t i = 0; i < batch; ++i) s += dz[i * Out + o];
      db[o] = accumulate ? db[o] + s : s;
    }
  }
}

template <class Act, class S>
void activation_backward(const S* dy, const S* saved, S* dz, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) dz[i] = dy[i] * Act::derivative(saved[i]);
}

template <class Act, class S>
void activation_forward(const S* x, S* y, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) y[i] = Act::forward(x[i]);
}

/// Per-sample normalization of each row (row_normalize.hpp), plain loops in index order.
template <std::size_t Width, std::size_t G, bool Centered, bool HasBias, class Act, class S>
void normalize_rows(const S* z, std::size_t rows, const S* gamma, const S* beta, S eps, S* xhat, S* r, S* yn, S* y) {
  constexpr std::size_t n = Width / G;
  for (std::size_t i = 0; i < rows; ++i)
    for (std::size_t grp = 0; grp < G; ++grp) {
      const std::size_t o = i * Width + grp * n;
      S mu = 0;
      if constexpr (Centered) {
        for (std::size_t j = 0; j < n; ++j) mu += z[o + j];
        mu /= S(n);
      }
      S var = 0;
      for (std::size_t j = 0; j < n; ++j) var += (z[o + j] - mu) * (z[o + j] - mu);
      const S inv = S(1) / std::sqrt(var / S(n) + eps);
      r[i * G + grp] = inv;
      for (std::size_t j = 0; j < n; ++j) {
        const S xh = (z[o + j] - mu) * inv;
        S v = gamma[grp * n + j] * xh;
        if constexpr (HasBias) v += beta[grp * n + j];
        xhat[o + j] = xh;
        yn[o + j] = v;
        if (y) y[o + j] = Act::forward(v);
      }
    }
}

}  // namespace ctnn::kernels::ref
