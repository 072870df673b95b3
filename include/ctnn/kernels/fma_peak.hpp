#pragma once
// FMA peak probe: a register-only loop of independent fma chains (no loads/stores), the
// ceiling the GEMM kernels are measured against. 24 accumulators: the same count as the GEMM
// micro-kernels, more than latency × pipes needs on any x86 core (measured on this machine:
// 8 chains reach ~88% of what 24 reach), few enough to stay in the 32 vector registers.
#include <chrono>
#include <cstddef>

#include <ctnn/core/parallel_for.hpp>
#include <ctnn/core/simd.hpp>
#include <ctnn/kernels/gemm_microkernel.hpp>

namespace ctnn::kernels {

namespace detail {

// 24 named accumulators, not an array: GCC 12 keeps a vector array it cannot scalarize in
// memory (every fma then loads and stores the stack), which halves the measured "peak".
#define CTNN_FMA_PEAK_24(X)                                                                                  \
  X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) X(12) X(13) X(14) X(15) X(16) X(17) X(18) \
      X(19) X(20) X(21) X(22) X(23)

template <class S>
__attribute__((noinline)) S fma_peak_loop(long iters, S seed) {
  using V = vec<S>;
  using R = typename V::register_type;
#define CTNN_FMA_DECL(k) R a##k = V(seed + S(0.001) * S(k));
  CTNN_FMA_PEAK_24(CTNN_FMA_DECL)
#undef CTNN_FMA_DECL
  const V ma(S(0.999999)), mb(S(1e-7));
  for (long i = 0; i < iters; ++i) {
#define CTNN_FMA_STEP(k) a##k = simd::fma(V(a##k), ma, mb);
    CTNN_FMA_PEAK_24(CTNN_FMA_STEP)
#undef CTNN_FMA_STEP
    // Opaque to the optimizer (no folding of the chains), and register-only ("+v").
#define CTNN_FMA_OPAQUE(k) asm volatile("" : "+v"(a##k));
    CTNN_FMA_PEAK_24(CTNN_FMA_OPAQUE)
#undef CTNN_FMA_OPAQUE
  }
  V s(S(0));
#define CTNN_FMA_SUM(k) s += V(a##k);
  CTNN_FMA_PEAK_24(CTNN_FMA_SUM)
#undef CTNN_FMA_SUM
  return xsimd::hadd(s);
}
#undef CTNN_FMA_PEAK_24

}  // namespace detail

/// Peak GFLOP/s of S fma over `threads` threads: best of `trials` trials of ~`seconds`/trials
/// each (the best, since a shared machine only ever slows the loop down; short trials, ~5 ms,
/// are likelier to run unpreempted on a busy machine). 2 flops per lane per fma.
template <class S = float>
double fma_peak_gflops(int threads, double seconds = 0.1, int trials = 20) {
  constexpr std::size_t L = detail::lanes<S>;
  const double flop_per_iter = 24.0 * double(L) * 2.0;
  // Calibrate from a first run of 1e6 iterations.
  long iters = 1'000'000;
  {
    const auto t0 = std::chrono::steady_clock::now();
    volatile S sink = detail::fma_peak_loop<S>(iters, S(1));
    (void)sink;
    const double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (dt > 0) iters = long(double(iters) * (seconds / trials) / dt) + 1;
  }
  double best = 0;
  for (int trial = 0; trial < trials; ++trial) {
    volatile S sink = 0;
    const auto t0 = std::chrono::steady_clock::now();
    ctnn::parallel_chunks(threads, [&](int c, int) {
      S r = detail::fma_peak_loop<S>(iters, S(c));
      if (r == S(-12345)) sink = r;  // never true; keeps r alive
    });
    const double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double g = flop_per_iter * double(iters) * double(threads) / dt * 1e-9;
    if (g > best) best = g;
  }
  return best;
}

}  // namespace ctnn::kernels
