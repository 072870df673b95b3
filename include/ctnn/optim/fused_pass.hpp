#pragma once
// fused_pass: the one loop every optimizer runs. For i in [lo, hi) it loads g[i] and each
// mutable arena's element as xsimd batches, calls kernel(g, p, s...) (the mutable ones by
// reference) and stores the mutable ones back: one pass over (parameters, gradients, state).
// The tail (fewer than one batch) goes through a zero-padded stack copy, so the kernel is
// written once, for batches only, and the tail runs the same arithmetic as the body.
// fused_sum_squares: Σ x_i² (and Σ y_i²) in double, for trust ratios, AdaGrad-Norm and clipping.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <type_traits>
#include <utility>
#include <xsimd/xsimd.hpp>
#include <ctnn/core/parallel_for.hpp>
#include <ctnn/core/simd.hpp>

namespace ctnn::optim {

namespace detail {
/// Memory-bound passes only pay for a second thread once the arenas leave L2 (≈ 256K parameters).
inline constexpr std::size_t parallel_threshold = std::size_t{1} << 18;

/// torch.sign: −1, 0 or +1 (0 for ±0).
template <class B>
B sign(const B& x) {
  using S = typename B::value_type;
  return xsimd::select(x > B(S(0)), B(S(1)), B(S(0))) - xsimd::select(x < B(S(0)), B(S(1)), B(S(0)));
}
}  // namespace detail

// The passes are forced inline into their callers: left to the inliner, the per-slot update's
// loop became an out-of-line call whose body ran ~10% slower (tiny_b32 step +0.2 µs, bench/train).
namespace detail {
template <class B, class S>
void store_unless_const(const B& b, S* to) {
  if constexpr (!std::is_const_v<S>) b.store_unaligned(to);
}
template <class T, class S>
void copy_unless_const(const T* from, std::size_t r, S* to) {
  if constexpr (!std::is_const_v<S>) std::copy(from, from + r, to);
}

template <class S, class Kernel, class... Mut, std::size_t... K>
[[gnu::always_inline]] inline void fused_pass_impl(std::size_t lo, std::size_t hi, const S* g, Kernel& kernel, std::index_sequence<K...>,
                     Mut*... mut) {
  using batch = xsimd::batch<S>;
  constexpr std::size_t w = batch::size;
  std::size_t i = lo;
  for (; i + w <= hi; i += w) {
    std::array<batch, sizeof...(Mut)> b{batch::load_unaligned(mut + i)...};
    kernel(batch::load_unaligned(g + i), b[K]...);
    (store_unless_const(b[K], mut + i), ...);
  }
  if (i < hi) {
    const std::size_t r = hi - i;
    alignas(64) S gt[w] = {};
    alignas(64) std::remove_const_t<S> mt[sizeof...(Mut)][w] = {};
    std::copy(g + i, g + hi, gt);
    (std::copy(mut + i, mut + hi, mt[K]), ...);
    std::array<batch, sizeof...(Mut)> b{batch::load_aligned(mt[K])...};
    kernel(batch::load_aligned(gt), b[K]...);
    (b[K].store_aligned(mt[K]), ...);
    (copy_unless_const(mt[K], r, mut + i), ...);
  }
}
}  // namespace detail

/// Runs kernel(g, p, s...) over [lo, hi) in xsimd batches; see the file comment. Arenas passed
/// as pointers to const are loaded but not stored (read-only state).
template <class S, class Kernel, class... Mut>
[[gnu::always_inline]] inline void fused_pass(std::size_t lo, std::size_t hi, const S* g, Kernel&& kernel, Mut*... mut) {
  detail::fused_pass_impl(lo, hi, g, kernel, std::index_sequence_for<Mut...>{}, mut...);
}

/// fused_pass over [lo, hi), split over the threads when the range is large.
template <class S, class Kernel, class... Mut>
void fused_pass_parallel(std::size_t lo, std::size_t hi, const S* g, Kernel&& kernel, Mut*... mut) {
  const std::size_t n = hi - lo;
  const int threads = n >= detail::parallel_threshold ? num_threads() : 1;
  parallel_chunks(threads, [&](int c, int cs) {
    const std::size_t block = (n / cs + 63) / 64 * 64;
    const std::size_t a = std::min(hi, lo + block * c), b = c + 1 == cs ? hi : std::min(hi, a + block);
    fused_pass(a, b, g, kernel, mut...);
  });
}

namespace detail {
template <std::size_t K, class S, class Term, class... In, std::size_t... I>
std::array<double, K> sum_squares_impl(std::size_t lo, std::size_t hi, Term& term, std::index_sequence<I...>,
                                       const In*... in) {
  using batch = xsimd::batch<S>;
  constexpr std::size_t w = batch::size;
  // Float partial sums are flushed into double every 256 elements: exact enough for 10M parameters.
  constexpr std::size_t flush = 256;
  std::array<double, K> total{};
  std::array<batch, K> acc;
  acc.fill(batch(S(0)));
  auto add = [&](const std::array<batch, K>& t) {
    for (std::size_t k = 0; k < K; ++k) acc[k] = simd::fma(t[k], t[k], acc[k]);
  };
  auto drain = [&] {
    for (std::size_t k = 0; k < K; ++k) {
      total[k] += static_cast<double>(xsimd::hadd(acc[k]));
      acc[k] = batch(S(0));
    }
  };
  // f(terms) for every batch of [lo, hi), the tail zero padded.
  auto for_each_term = [&](auto&& f) {
    std::size_t i = lo;
    for (; i + w <= hi; i += w) f(term(batch::load_unaligned(in + i)...));
    if (i < hi) {
      alignas(64) S t[sizeof...(In)][w] = {};
      (std::copy(in + i, in + hi, t[I]), ...);
      f(term(batch::load_aligned(t[I])...));
    }
  };
  std::size_t since = 0;
  for_each_term([&](const std::array<batch, K>& t) {
    add(t);
    if ((since += w) >= flush) drain(), since = 0;
  });
  drain();
  if constexpr (std::is_same_v<S, float>) {
    // Squares in float overflow above |t| ≈ 1.8·10¹⁹ and underflow below ≈ 10⁻¹⁹ (a clipped exploding
    // gradient read as norm inf and zeroed; 1000 × 10⁻²⁵ read as 0). Where the sum says so (inf,
    // or below 10⁻³⁰), it is taken again with each term squared in double: rare, so scalar.
    bool again = false;
    for (std::size_t k = 0; k < K; ++k) again = again || std::isinf(total[k]) || total[k] < 1e-30;
    if (again) {
      std::array<double, K> exact{};
      for_each_term([&](const std::array<batch, K>& t) {
        alignas(64) S v[w];
        for (std::size_t k = 0; k < K; ++k) {
          t[k].store_aligned(v);
          for (std::size_t j = 0; j < w; ++j) exact[k] += static_cast<double>(v[j]) * static_cast<double>(v[j]);
        }
      });
      for (std::size_t k = 0; k < K; ++k)
        if (std::isinf(total[k]) || total[k] < 1e-30) total[k] = exact[k];
    }
  }
  return total;
}
}  // namespace detail

/// Reductions for trust ratios, AdaGrad-Norm and clipping: returns {Σ t_0², ..., Σ t_{K−1}²} over
/// [lo, hi), where (t_0, ..., t_{K−1}) = term(batches of each input at i). The zero-padded tail
/// requires term(0, ..., 0) = 0, true for every caller here.
template <std::size_t K, class S, class Term, class... In>
std::array<double, K> fused_sum_squares(std::size_t lo, std::size_t hi, Term&& term, const In*... in) {
  return detail::sum_squares_impl<K, S>(lo, hi, term, std::index_sequence_for<In...>{}, in...);
}

/// Σ over chunks of body(a, b) -> std::array<double, K>, the range split over the threads when
/// large; chunk results are added in chunk order, so the sum is reproducible per thread count.
template <std::size_t K, class Body>
std::array<double, K> parallel_sum(std::size_t lo, std::size_t hi, Body&& body) {
  const std::size_t n = hi - lo;
  const int threads = n >= detail::parallel_threshold ? std::min(num_threads(), 64) : 1;
  std::array<std::array<double, K>, 64> part{};
  parallel_chunks(threads, [&](int c, int cs) {
    const std::size_t block = (n / cs + 63) / 64 * 64;
    const std::size_t a = std::min(hi, lo + block * c), b = c + 1 == cs ? hi : std::min(hi, a + block);
    part[c] = body(a, b);
  });
  std::array<double, K> total{};
  for (int c = 0; c < threads; ++c)
    for (std::size_t k = 0; k < K; ++k) total[k] += part[c][k];
  return total;
}

}  // namespace ctnn::optim
