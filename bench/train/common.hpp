#pragma once
// Shared harness for the bench_train_* programs: the configs, the (bit-identical) random data,
// the flop count, the step timer, the FMA-peak probe and the JSON line.
//
// Every program takes:  --config NAME --threads T [--peak GFLOPS] [--budget SECONDS] [--warmup W]
//                   or: --fma-peak --threads T   (prints {"bench":"fma_peak",...} and exits)
//                   or: --round-trip [--note N]  (prints {"bench":"round_trip",...} and exits)
#include <immintrin.h>
#include <malloc.h>
#include <omp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace bench {

enum class act { relu, tanh };
enum class loss_kind { softmax_ce, mse };

struct config {
  const char* name;
  std::vector<int> widths;  // input, hidden..., output
  int batch;
  act activation;           // between dense layers, none after the last
  loss_kind loss;
};

inline std::vector<int> deep_widths() {
  std::vector<int> w(33, 128);  // 128-wide input, 32 dense layers of 128
  return w;
}

inline config find_config(std::string_view name) {
  if (name == "mlp784_b64") return {"mlp784_b64", {784, 256, 256, 10}, 64, act::relu, loss_kind::softmax_ce};
  if (name == "mlp784_b256") return {"mlp784_b256", {784, 256, 256, 10}, 256, act::relu, loss_kind::softmax_ce};
  if (name == "tiny_b32") return {"tiny_b32", {64, 64, 64, 1}, 32, act::tanh, loss_kind::mse};
  if (name == "deep_b128") return {"deep_b128", deep_widths(), 128, act::relu, loss_kind::mse};
  std::fprintf(stderr, "unknown config '%.*s'\n", int(name.size()), name.data());
  std::exit(2);
}

/// GEMM flops actually executed by one step: forward + weight gradient for every layer,
/// input gradient for every layer but the first.
inline double step_flops(const config& c) {
  double f = 0;
  for (std::size_t l = 0; l + 1 < c.widths.size(); ++l) {
    const double mnk = 2.0 * c.batch * c.widths[l] * c.widths[l + 1];
    f += 2 * mnk + (l > 0 ? mnk : 0.0);
  }
  return f;
}

// ---- data: splitmix64, identical in every program ----
struct rng {
  std::uint64_t s;
  std::uint64_t next() {
    std::uint64_t z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  float uniform(float lo, float hi) { return lo + (hi - lo) * float(next() >> 40) * (1.0f / 16777216.0f); }
};

struct data {
  std::vector<float> x;             // batch × in
  std::vector<std::int32_t> labels; // batch (softmax_ce)
  std::vector<float> targets;       // batch × out (mse)
};

inline data make_data(const config& c) {
  rng r{0xC7A1'2024ull};
  const int in = c.widths.front(), out = c.widths.back();
  data d;
  d.x.resize(std::size_t(c.batch) * in);
  for (auto& v : d.x) v = r.uniform(-1.f, 1.f);
  if (c.loss == loss_kind::softmax_ce) {
    d.labels.resize(c.batch);
    for (auto& l : d.labels) l = std::int32_t(r.next() % std::uint64_t(out));
  } else {
    d.targets.resize(std::size_t(c.batch) * out);
    for (auto& v : d.targets) v = r.uniform(-1.f, 1.f);
  }
  return d;
}

// ---- options ----
struct options {
  std::string config = "mlp784_b256";
  int threads = 1;
  double peak = 0;       // GFLOP/s at this thread count, from --fma-peak; 0: measure here
  double budget = 0.8;   // seconds of timed steps (the run itself stays ~1 s)
  int warmup = -1;       // -1: time-based (>= 5 steps and >= 0.1 s)
  bool fma_peak = false;
  bool round_trip = false;
  bool mallopt = false;  // raise glibc's mmap/trim thresholds (no fresh page faults per temporary)
  std::string note;      // extra text for the JSON "note"
};

inline options parse(int argc, char** argv) {
  options o;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    auto val = [&]() -> const char* {
      if (i + 1 >= argc) { std::fprintf(stderr, "%s needs a value\n", argv[i]); std::exit(2); }
      return argv[++i];
    };
    if (a == "--config") o.config = val();
    else if (a == "--threads") o.threads = std::atoi(val());
    else if (a == "--peak") o.peak = std::atof(val());
    else if (a == "--budget") o.budget = std::atof(val());
    else if (a == "--warmup") o.warmup = std::atoi(val());
    else if (a == "--note") o.note = val();
    else if (a == "--fma-peak") o.fma_peak = true;
    else if (a == "--round-trip") o.round_trip = true;
    else if (a == "--mallopt") o.mallopt = true;
    else { std::fprintf(stderr, "unknown option %s\n", argv[i]); std::exit(2); }
  }
  if (o.threads < 1) o.threads = 1;
  if (o.mallopt) {
    mallopt(M_MMAP_THRESHOLD, 32 << 20);  // glibc max on 64-bit
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
    mallopt(M_TOP_PAD, 64 << 20);
  }
  return o;
}

// ---- ISA of this binary ----
inline const char* isa() {
#if defined(__AVX512F__)
  return "avx512f";
#elif defined(__AVX2__) && defined(__FMA__)
  return "avx2+fma";
#elif defined(__AVX__)
  return "avx";
#else
  return "sse2";
#endif
}

// ---- FMA peak: register-only loop, 16 independent accumulators per thread ----
#if defined(__AVX512F__)
using vf = __m512;
inline vf vset(float a) { return _mm512_set1_ps(a); }
inline vf vfma(vf a, vf b, vf c) { return _mm512_fmadd_ps(a, b, c); }
inline vf vadd(vf a, vf b) { return _mm512_add_ps(a, b); }
inline float vsum(vf a) { return _mm512_reduce_add_ps(a); }
constexpr int vlanes = 16;
#elif defined(__AVX2__) && defined(__FMA__)
using vf = __m256;
inline vf vset(float a) { return _mm256_set1_ps(a); }
inline vf vfma(vf a, vf b, vf c) { return _mm256_fmadd_ps(a, b, c); }
inline vf vadd(vf a, vf b) { return _mm256_add_ps(a, b); }
inline float vsum(vf a) {
  alignas(32) float t[8];
  _mm256_store_ps(t, a);
  float s = 0;
  for (float v : t) s += v;
  return s;
}
constexpr int vlanes = 8;
#else
#error "bench_train needs at least AVX2+FMA (build with -march=native)"
#endif

// 16 named accumulators (an array gets spilled to the stack by GCC 12); the empty asm keeps
// them in registers and stops the compiler from folding the chain.
#define CTNN_BENCH_FMA16(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) X(12) X(13) X(14) X(15)
__attribute__((noinline)) inline float fma_kernel(long iters, float seed) {
#define CTNN_DECL(k) vf acc##k = vset(seed + 0.001f * k);
#define CTNN_STEP(k) acc##k = vfma(acc##k, a, b);
#define CTNN_PIN(k) asm volatile("" : "+v"(acc##k));
#define CTNN_SUM(k) s = vadd(s, acc##k);
  CTNN_BENCH_FMA16(CTNN_DECL)
  const vf a = vset(0.999999f), b = vset(1e-7f);
  for (long i = 0; i < iters; ++i) {
    CTNN_BENCH_FMA16(CTNN_STEP)
    CTNN_BENCH_FMA16(CTNN_PIN)
  }
  vf s = vset(0.f);
  CTNN_BENCH_FMA16(CTNN_SUM)
#undef CTNN_DECL
#undef CTNN_STEP
#undef CTNN_PIN
#undef CTNN_SUM
  return vsum(s);
}

/// Best of 200 short trials (each ~0.25 ms: every thread runs the FMA loop; GFLOP/s over all threads).
/// Short trials and the best one: on a shared machine a trial that was not preempted is the peak.
inline double measure_fma_peak(int threads) {
  constexpr long iters = 100'000;  // 1e5 * 16 acc * 16 lanes * 2 = 0.05 GFLOP per thread, ~0.25 ms
  double best = 0;
  float sink = 0;
  for (int trial = 0; trial < 200; ++trial) {
    auto t0 = std::chrono::steady_clock::now();
#pragma omp parallel num_threads(threads)
    {
      float r = fma_kernel(iters, float(omp_get_thread_num()));
#pragma omp atomic
      sink += r;
    }
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    asm volatile("" : : "r"(&sink) : "memory");
    best = std::max(best, double(threads) * iters * 16 * vlanes * 2 / s * 1e-9);
  }
  return best;
}

inline void print_fma_peak(int threads, double gflops) {
  std::printf("{\"bench\":\"fma_peak\",\"threads\":%d,\"gflops\":%.2f,\"isa\":\"%s\"}\n", threads, gflops, isa());
  std::fflush(stdout);
}

/// Median over 9 trials of a cache-line round trip between two OpenMP threads (one store and
/// one load each way, 20,000 per trial), in ns; 0 if OpenMP forms no team of two. On the shared
/// VM the host places the two vCPUs so that this reads 120-225 ns at some times and 410-620 ns
/// at others, and the 2-thread figures follow it (bench/README.md): each round records it.
inline double measure_round_trip_ns() {
  struct alignas(64) flag {
    std::atomic<unsigned> v{0};
  };
  constexpr unsigned n = 20'000;
  std::vector<double> trials;
  for (int trial = 0; trial < 9; ++trial) {
    flag ping, pong;
    double ns = 0;
#pragma omp parallel num_threads(2)
    {
      if (omp_get_num_threads() == 2) {
        if (omp_get_thread_num() == 0) {
          const auto t0 = std::chrono::steady_clock::now();
          for (unsigned i = 1; i <= n; ++i) {
            ping.v.store(i, std::memory_order_release);
            while (pong.v.load(std::memory_order_acquire) != i) _mm_pause();
          }
          ns = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count() / n;
        } else {
          for (unsigned i = 1; i <= n; ++i) {
            while (ping.v.load(std::memory_order_acquire) != i) _mm_pause();
            pong.v.store(i, std::memory_order_release);
          }
        }
      }
    }
    if (ns == 0) return 0;
    trials.push_back(ns);
  }
  std::nth_element(trials.begin(), trials.begin() + 4, trials.end());
  return trials[4];
}

inline void print_round_trip(double ns, const std::string& note) {
  std::printf("{\"bench\":\"round_trip\",\"threads\":2,\"ns\":%.1f,\"note\":\"%s\"}\n", ns, note.c_str());
  std::fflush(stdout);
}

// ---- step timer ----
struct timing {
  double median_us, min_us, max_us;
  int steps;
};

template <class Step>
timing time_steps(const options& o, Step&& step) {
  using clk = std::chrono::steady_clock;
  // warmup: at least 5 steps and 0.1 s (or exactly --warmup steps); estimates the step time
  int w = 0;
  auto t0 = clk::now();
  double el = 0;
  while (o.warmup >= 0 ? w < o.warmup : (w < 5 || el < 0.1)) {
    step();
    ++w;
    el = std::chrono::duration<double>(clk::now() - t0).count();
  }
  const double est = el / std::max(w, 1);
  int n = int(o.budget / std::max(est, 1e-7));
  n = std::clamp(n, 10, 20000);
  std::vector<double> t(n);
  for (int i = 0; i < n; ++i) {
    auto a = clk::now();
    step();
    t[i] = std::chrono::duration<double, std::micro>(clk::now() - a).count();
  }
  std::vector<double> s = t;
  std::nth_element(s.begin(), s.begin() + n / 2, s.end());
  double med = s[n / 2];
  if (n % 2 == 0) med = 0.5 * (med + *std::max_element(s.begin(), s.begin() + n / 2));
  return {med, *std::min_element(t.begin(), t.end()), *std::max_element(t.begin(), t.end()), n};
}

inline void print_result(const options& o, const config& c, const char* impl, const timing& t, double peak,
                         std::string note, float final_loss) {
  // the OpenMP wait policy matters a lot at 2 threads on a shared machine: record it
  const char* wait = std::getenv("OMP_WAIT_POLICY");
  const char* spin = std::getenv("GOMP_SPINCOUNT");
  note = std::string("omp_wait=") + (wait && *wait ? wait : "default") + ",gomp_spincount=" +
         (spin && *spin ? spin : "default") + (note.empty() ? "" : ",") + note;
  const double gf = step_flops(c) / (t.median_us * 1e-6) * 1e-9;
  std::printf(
      "{\"bench\":\"train\",\"config\":\"%s\",\"impl\":\"%s\",\"threads\":%d,\"median_us\":%.2f,\"min_us\":%.2f,"
      "\"max_us\":%.2f,\"steps\":%d,\"gflops\":%.2f,\"pct_peak\":%.1f,\"peak_gflops\":%.2f,\"isa\":\"%s\","
      "\"loss\":%.6g,\"note\":\"%s\"}\n",
      c.name, impl, o.threads, t.median_us, t.min_us, t.max_us, t.steps, gf, peak > 0 ? 100.0 * gf / peak : 0.0,
      peak, isa(), double(final_loss), note.c_str());
  std::fflush(stdout);
}

/// Common main: handles --fma-peak, builds config/data, calls run(o, c, d, peak).
template <class Run>
int main_with(int argc, char** argv, Run&& run) {
  options o = parse(argc, argv);
  if (o.fma_peak) {
    print_fma_peak(o.threads, measure_fma_peak(o.threads));
    return 0;
  }
  if (o.round_trip) {
    print_round_trip(measure_round_trip_ns(), o.note);
    return 0;
  }
  config c = find_config(o.config);
  data d = make_data(c);
  double peak = o.peak > 0 ? o.peak : measure_fma_peak(o.threads);
  return run(o, c, d, peak);
}

}  // namespace bench
