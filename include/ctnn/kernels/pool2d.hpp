#pragma once
// Pooling over NHWC images (channels innermost, so every loop runs over contiguous channels
// and vectorizes). G is a conv_geometry (kernel, stride, padding of the window).
//
// max:     y[n, oy, ox, c] = max over the window of x (padding never wins), arg = the flat
//          in-sample index of the first maximum (row-major window order, as PyTorch); a NaN
//          in the window wins (propagates, as PyTorch). dx[arg] += dy.
// average: y = Σ window / K² (padding counts as zeros: count_include_pad); dx += dy / K².
// global:  y[n, c] = Σ_pixels x[n, ·, ·, c] / (H·W); dx = dy / (H·W).
// Threads split samples (pooling is memory-bound; threaded above 2^20 values).
#include <cstddef>
#include <cstdint>
#include <limits>
#include <ctnn/core/parallel_for.hpp>

namespace ctnn::kernels {

namespace pool_detail {
inline int threads_for_values(std::size_t values, std::size_t batch) {
  if (values < (std::size_t{1} << 20)) return 1;
  const int t = ctnn::num_threads();
  return batch < std::size_t(t) ? int(batch) : t;
}
/// Calls f(n, oy, ox, iy, ix) for each in-image input pixel of each output pixel's window.
template <class G, class F>
inline void for_window(std::size_t oy, std::size_t ox, F&& f) {
  for (std::size_t i = 0; i < G::kernel; ++i) {
    const std::ptrdiff_t iy = std::ptrdiff_t(oy * G::stride + i) - std::ptrdiff_t(G::padding);
    if (iy < 0 || iy >= std::ptrdiff_t(G::height)) continue;
    for (std::size_t j = 0; j < G::kernel; ++j) {
      const std::ptrdiff_t ix = std::ptrdiff_t(ox * G::stride + j) - std::ptrdiff_t(G::padding);
      if (ix < 0 || ix >= std::ptrdiff_t(G::width)) continue;
      f(std::size_t(iy), std::size_t(ix));
    }
  }
}
}  // namespace pool_detail

template <class G, class S>
void max_pool2d_forward(const S* x, std::size_t batch, S* y, std::uint32_t* arg) {
  constexpr std::size_t C = G::channels, out_size = G::pixels * C;
  parallel_for(0, batch, pool_detail::threads_for_values(batch * G::in_size, batch), [&](std::size_t n) {
    const S* xs = x + n * G::in_size;
    for (std::size_t oy = 0; oy < G::out_h; ++oy)
      for (std::size_t ox = 0; ox < G::out_w; ++ox) {
        S* out = y + n * out_size + (oy * G::out_w + ox) * C;
        std::uint32_t* a = arg + n * out_size + (oy * G::out_w + ox) * C;
        for (std::size_t c = 0; c < C; ++c) out[c] = -std::numeric_limits<S>::infinity();
        for (std::size_t c = 0; c < C; ++c) a[c] = 0;
        bool first = true;
        pool_detail::for_window<G>(oy, ox, [&](std::size_t iy, std::size_t ix) {
          const std::size_t base = (iy * G::width + ix) * C;
          const S* src = xs + base;
          for (std::size_t c = 0; c < C; ++c) {
            // !(v <= best): larger, or NaN (which then stays: NaN <= anything is false for the
            // comparison that would replace it only if it is not already NaN).
            const bool take = first || (!(src[c] <= out[c]) && out[c] == out[c]);
            out[c] = take ? src[c] : out[c];
            a[c] = take ? std::uint32_t(base + c) : a[c];
          }
          first = false;
        });
      }
  });
}

template <class G, class S>
void max_pool2d_backward(const S* dy, const std::uint32_t* arg, std::size_t batch, S* dx) {
  constexpr std::size_t out_size = G::pixels * G::channels;
  parallel_for(0, batch, pool_detail::threads_for_values(batch * G::in_size, batch), [&](std::size_t n) {
    S* d = dx + n * G::in_size;
    for (std::size_t i = 0; i < G::in_size; ++i) d[i] = S(0);
    for (std::size_t i = 0; i < out_size; ++i) d[arg[n * out_size + i]] += dy[n * out_size + i];
  });
}

template <class G, class S>
void avg_pool2d_forward(const S* x, std::size_t batch, S* y) {
  constexpr std::size_t C = G::channels, out_size = G::pixels * C;
  constexpr S scale = S(1) / S(G::taps);
  parallel_for(0, batch, pool_detail::threads_for_values(batch * G::in_size, batch), [&](std::size_t n) {
    const S* xs = x + n * G::in_size;
    for (std::size_t oy = 0; oy < G::out_h; ++oy)
      for (std::size_t ox = 0; ox < G::out_w; ++ox) {
        S* out = y + n * out_size + (oy * G::out_w + ox) * C;
        for (std::size_t c = 0; c < C; ++c) out[c] = S(0);
        pool_detail::for_window<G>(oy, ox, [&](std::size_t iy, std::size_t ix) {
          const S* src = xs + (iy * G::width + ix) * C;
          for (std::size_t c = 0; c < C; ++c) out[c] += src[c];
        });
        for (std::size_t c = 0; c < C; ++c) out[c] *= scale;
      }
  });
}

template <class G, class S>
void avg_pool2d_backward(const S* dy, std::size_t batch, S* dx) {
  constexpr std::size_t C = G::channels, out_size = G::pixels * C;
  constexpr S scale = S(1) / S(G::taps);
  parallel_for(0, batch, pool_detail::threads_for_values(batch * G::in_size, batch), [&](std::size_t n) {
    S* d = dx + n * G::in_size;
    for (std::size_t i = 0; i < G::in_size; ++i) d[i] = S(0);
    for (std::size_t oy = 0; oy < G::out_h; ++oy)
      for (std::size_t ox = 0; ox < G::out_w; ++ox) {
        const S* g = dy + n * out_size + (oy * G::out_w + ox) * C;
        pool_detail::for_window<G>(oy, ox, [&](std::size_t iy, std::size_t ix) {
          S* dst = d + (iy * G::width + ix) * C;
          for (std::size_t c = 0; c < C; ++c) dst[c] += g[c] * scale;
        });
      }
  });
}

/// y[n, c] = mean over the Pixels pixels of x[n, ·, c].
template <std::size_t C, std::size_t Pixels, class S>
void global_avg_pool_forward(const S* x, std::size_t batch, S* y) {
  constexpr S scale = S(1) / S(Pixels);
  parallel_for(0, batch, pool_detail::threads_for_values(batch * C * Pixels, batch), [&](std::size_t n) {
    S* out = y + n * C;
    for (std::size_t c = 0; c < C; ++c) out[c] = S(0);
    for (std::size_t p = 0; p < Pixels; ++p)
      for (std::size_t c = 0; c < C; ++c) out[c] += x[(n * Pixels + p) * C + c];
    for (std::size_t c = 0; c < C; ++c) out[c] *= scale;
  });
}

template <std::size_t C, std::size_t Pixels, class S>
void global_avg_pool_backward(const S* dy, std::size_t batch, S* dx) {
  constexpr S scale = S(1) / S(Pixels);
  parallel_for(0, batch, pool_detail::threads_for_values(batch * C * Pixels, batch), [&](std::size_t n) {
    for (std::size_t p = 0; p < Pixels; ++p)
      for (std::size_t c = 0; c < C; ++c) dx[(n * Pixels + p) * C + c] = dy[n * C + c] * scale;
  });
}

}  // namespace ctnn::kernels
