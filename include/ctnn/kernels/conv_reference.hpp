#pragma once
// Scalar references of the convolution and pooling kernels: the definitions as direct loops
// over NHWC images (no im2col, no GEMM). Tests compare the optimized kernels against these.
#include <cstddef>
#include <limits>

namespace ctnn::kernels::ref {

/// z[n, oy, ox, o] = b[o] + Σ_{c,i,j} W[o, c, i, j] · x[n, oy·S−P+i, ox·S−P+j, c]; y = Act(z).
template <class G, std::size_t Out, class Act, class S>
void conv2d_forward(const S* x, std::size_t batch, const S* w, const S* b, S* y, S* z) {
  constexpr std::size_t C = G::channels, H = G::height, W = G::width, K = G::kernel;
  for (std::size_t n = 0; n < batch; ++n)
    for (std::size_t oy = 0; oy < G::out_h; ++oy)
      for (std::size_t ox = 0; ox < G::out_w; ++ox)
        for (std::size_t o = 0; o < Out; ++o) {
          S s = 0;
          for (std::size_t c = 0; c < C; ++c)
            for (std::size_t i = 0; i < K; ++i)
              for (std::size_t j = 0; j < K; ++j) {
                const std::ptrdiff_t iy = std::ptrdiff_t(oy * G::stride + i) - std::ptrdiff_t(G::padding);
                const std::ptrdiff_t ix = std::ptrdiff_t(ox * G::stride + j) - std::ptrdiff_t(G::padding);
                if (iy < 0 || iy >= std::ptrdiff_t(H) || ix < 0 || ix >= std::ptrdiff_t(W)) continue;
                s += w[((o * C + c) * K + i) * K + j] * x[((n * H + std::size_t(iy)) * W + std::size_t(ix)) * C + c];
              }
          s += b[o];
          const std::size_t at = ((n * G::out_h + oy) * G::out_w + ox) * Out + o;
          if (z) z[at] = s;
          y[at] = Act::forward(s);
        }
}

/// dx = Σ over windows W[o, c, i, j] · dz (overwrites dx); dW = Σ dz · x; db = Σ dz (overwrite).
template <class G, std::size_t Out, class S>
void conv2d_backward(const S* dz, const S* x, std::size_t batch, const S* w, S* dx, S* dw, S* db) {
  constexpr std::size_t C = G::channels, H = G::height, W = G::width, K = G::kernel;
  if (dx) for (std::size_t i = 0; i < batch * G::in_size; ++i) dx[i] = 0;
  for (std::size_t i = 0; i < Out * G::patch; ++i) dw[i] = 0;
  for (std::size_t o = 0; o < Out; ++o) db[o] = 0;
  for (std::size_t n = 0; n < batch; ++n)
    for (std::size_t oy = 0; oy < G::out_h; ++oy)
      for (std::size_t ox = 0; ox < G::out_w; ++ox)
        for (std::size_t o = 0; o < Out; ++o) {
          const S g = dz[((n * G::out_h + oy) * G::out_w + ox) * Out + o];
          db[o] += g;
          for (std::size_t c = 0; c < C; ++c)
            for (std::size_t i = 0; i < K; ++i)
              for (std::size_t j = 0; j < K; ++j) {
                const std::ptrdiff_t iy = std::ptrdiff_t(oy * G::stride + i) - std::ptrdiff_t(G::padding);
                const std::ptrdiff_t ix = std::ptrdiff_t(ox * G::stride + j) - std::ptrdiff_t(G::padding);
                if (iy < 0 || iy >= std::ptrdiff_t(H) || ix < 0 || ix >= std::ptrdiff_t(W)) continue;
                const std::size_t xi = ((n * H + std::size_t(iy)) * W + std::size_t(ix)) * C + c;
                const std::size_t wi = ((o * C + c) * K + i) * K + j;
                dw[wi] += g * x[xi];
                if (dx) dx[xi] += g * w[wi];
              }
        }
}

}  // namespace ctnn::kernels::ref
