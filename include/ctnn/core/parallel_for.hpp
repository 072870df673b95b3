#pragma once
// The only place in ctnn that speaks OpenMP. Everything else calls parallel_for.
//
// Thread count: OMP_NUM_THREADS (read by the OpenMP runtime) or ctnn::set_num_threads(n).
// Without OpenMP (the exported target adds no -fopenmp) everything runs serially.
#include <cstddef>
#include <algorithm>
#include <thread>
#include <utility>
#if defined(_OPENMP)
#include <omp.h>
#endif
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace ctnn {

/// Number of threads ctnn's kernels use; 1 inside a parallel region (a kernel that splits its
/// work over threads itself calls the others serially).
inline int num_threads() noexcept {
#if defined(_OPENMP)
  if (omp_in_parallel()) return 1;
  return omp_get_max_threads();
#else
  return 1;
#endif
}

/// Sets the number of threads ctnn's kernels use (overrides OMP_NUM_THREADS) for parallel work
/// started from the calling thread (OpenMP's nthreads-var is per thread: call it on the thread
/// that trains).
inline void set_num_threads(int n) noexcept {
#if defined(_OPENMP)
  omp_set_num_threads(n < 1 ? 1 : n);
#else
  (void)n;
#endif
}

/// Calls body(chunk, chunks) once for each of `chunks` chunks, in parallel when
/// chunks > 1. Static assignment: chunk c always runs on thread c, so results that
/// depend on the partition are reproducible for a given team size (`chunks` receives the team
/// OpenMP actually formed, which OMP_DYNAMIC or OMP_THREAD_LIMIT may make smaller). body must not
/// throw: an exception cannot leave an OpenMP region.
template <class Body>
void parallel_chunks(int chunks, Body&& body) {
  if (chunks <= 1) {
    body(0, 1);
    return;
  }
#if defined(_OPENMP)
#pragma omp parallel num_threads(chunks)
  { body(omp_get_thread_num(), omp_get_num_threads()); }
#else
  for (int c = 0; c < chunks; ++c) body(c, chunks);
#endif
}

/// Whether the chunks of parallel_chunks run at the same time (with OpenMP); without it they run
/// one after the other, so a chunk must never wait for a later one.
#if defined(_OPENMP)
inline constexpr bool chunks_run_concurrently = true;
#else
inline constexpr bool chunks_run_concurrently = false;
#endif

/// Inside a parallel_chunks body: waits until every chunk of the team has reached it (each must
/// call it the same number of times). Without OpenMP there is only ever one chunk.
inline void chunk_barrier() noexcept {
#if defined(_OPENMP)
#pragma omp barrier
#endif
}

/// Inside a parallel_chunks body: waits until ready() holds, ready() reading what another chunk
/// publishes with a release store (a pipeline's progress counter). It spins (pause) for about
/// 2,048 checks, some tens of µs, as long as a hand-off takes when every thread has a core of its
/// own; then it yields the core at every check, so that a producer sharing the core (more
/// threads than free cores) can run: spinning alone made a pipelined 2-thread step on one core
/// 3× slower than the barrier-based team step (8.0 against 2.5 ms).
template <class Ready>
void spin_until(Ready&& ready) noexcept {
  for (int spins = 0; !ready();) {
    if (spins < 2048) {
      ++spins;
#if defined(__x86_64__) || defined(__i386__)
      _mm_pause();
#endif
    } else {
      std::this_thread::yield();
    }
  }
}

/// Calls body(i) for i in [begin, end), split statically over up to `threads` threads.
template <class Body>
void parallel_for(std::size_t begin, std::size_t end, int threads, Body&& body) {
  if (end <= begin) return;
  const std::size_t n = end - begin;
  if (threads <= 1 || n == 1) {
    for (std::size_t i = begin; i < end; ++i) body(i);
    return;
  }
  parallel_chunks(static_cast<int>(std::min<std::size_t>(n, static_cast<std::size_t>(threads))),
                  [&](int c, int cs) {
                    const std::size_t lo = begin + n * static_cast<std::size_t>(c) / static_cast<std::size_t>(cs);
                    const std::size_t hi = begin + n * static_cast<std::size_t>(c + 1) / static_cast<std::size_t>(cs);
                    for (std::size_t i = lo; i < hi; ++i) body(i);
                  });
}

}  // namespace ctnn
