// bench_optim: the fused optimizer update alone, in GB/s, against a STREAM-like triad measured in
// the same process, interleaved (round by round), at the same working-set size.
//
//   bench_optim [--sizes 1M,10M] [--threads 1,2] [--rounds 5] [--budget 0.15] [--opts sgd_momentum,adam,adamw,lamb]
//
// For each size N and thread count t, every round runs, for each optimizer, the triad then the
// optimizer for `budget` seconds each; the samples of all rounds are pooled and the median, min and
// max of one call are printed as JSON lines:
//   {"bench":"optim","config":"adam_1M","impl":"ctnn|triad","threads":..,"median_us":..,"min_us":..,
//    "max_us":..,"gbps":..,"pct_triad":..,"isa":..,"bytes_per_param":..}
//
// Bytes are those actually moved per parameter (4-byte floats):
//   sgd_momentum  reads p g v, writes p v                                  5 × 4
//   adam, adamw   reads p g m v, writes p m v                              7 × 4
//   lamb          pass 1 reads p g m v, writes m v; pass 2 reads p m v,
//                 writes p (optim/lamb.hpp: two passes)                    10 × 4
//   triad         a[i] = b[i] + s·c[i]: reads b c, writes a (STREAM's count; the write-allocate
//                 read of a is not counted, as in STREAM)                  3 × 4 per element
// The triad of config X has as many elements as make its three arrays the same bytes as X's
// arenas (adam: 4 arenas of N floats → triad length 4N/3), so both run at the same working set.
// Threads: ctnn::set_num_threads(t); the triad is split over the same ctnn::parallel_chunks.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>
#include <xsimd/xsimd.hpp>
#include <ctnn/config.hpp>
#include <ctnn/core/aligned_buffer.hpp>
#include <ctnn/core/parallel_for.hpp>
#include <ctnn/optim/adam.hpp>
#include <ctnn/optim/lamb.hpp>
#include <ctnn/optim/sgd.hpp>

namespace {

using clk = std::chrono::steady_clock;

std::vector<std::string> split(std::string_view s) {
  std::vector<std::string> out;
  while (!s.empty()) {
    const auto k = s.find(',');
    out.emplace_back(s.substr(0, k));
    if (k == std::string_view::npos) break;
    s.remove_prefix(k + 1);
  }
  return out;
}

std::size_t parse_size(const std::string& s) {
  const char u = s.empty() ? ' ' : s.back();
  const double v = std::atof(s.c_str());
  return static_cast<std::size_t>(u == 'M' ? v * 1e6 : u == 'K' ? v * 1e3 : v);
}

struct samples {
  std::vector<double> us;
  void add(double v) { us.push_back(v); }
  double median() const {
    std::vector<double> s = us;
    std::nth_element(s.begin(), s.begin() + s.size() / 2, s.end());
    return s[s.size() / 2];
  }
  double min() const { return *std::min_element(us.begin(), us.end()); }
  double max() const { return *std::max_element(us.begin(), us.end()); }
};

/// Runs f() for at least `budget` seconds (≥ 3 calls), appending per-call microseconds.
template <class F>
void time_for(double budget, samples& out, F&& f) {
  const auto start = clk::now();
  int calls = 0;
  while (calls < 3 || std::chrono::duration<double>(clk::now() - start).count() < budget) {
    const auto a = clk::now();
    f();
    out.add(std::chrono::duration<double, std::micro>(clk::now() - a).count());
    ++calls;
  }
}

void fill(float* x, std::size_t n, float lo, float hi, std::uint64_t seed) {
  std::uint64_t s = seed;
  for (std::size_t i = 0; i < n; ++i) {
    s = s * 6364136223846793005ull + 1442695040888963407ull;
    x[i] = lo + (hi - lo) * float(s >> 40) * (1.0f / 16777216.0f);
  }
}

/// a[i] = b[i] + s·c[i] over [0, n), xsimd batches, split like optim::fused_pass_parallel.
void triad(float* a, const float* b, const float* c, float s, std::size_t n) {
  using B = xsimd::batch<float>;
  constexpr std::size_t w = B::size;
  ctnn::parallel_chunks(ctnn::num_threads(), [&](int k, int ks) {
    const std::size_t block = (n / ks + 63) / 64 * 64;
    const std::size_t lo = std::min(n, block * k), hi = k + 1 == ks ? n : std::min(n, lo + block);
    std::size_t i = lo;
    for (; i + w <= hi; i += w)
      xsimd::fma(B(s), B::load_unaligned(c + i), B::load_unaligned(b + i)).store_unaligned(a + i);
    for (; i < hi; ++i) a[i] = b[i] + s * c[i];
  });
}

struct opt_case {
  std::string name;
  int arenas;          // arenas of N floats (p, g, state...)
  int bytes_per_param; // bytes moved per parameter by one update
};

void print(const std::string& config, const char* impl, int threads, const samples& s, double bytes,
           double triad_gbps, int bytes_per_param) {
  const double gbps = bytes / (s.median() * 1e-6) * 1e-9;
  std::printf(
      "{\"bench\":\"optim\",\"config\":\"%s\",\"impl\":\"%s\",\"threads\":%d,\"median_us\":%.1f,\"min_us\":%.1f,"
      "\"max_us\":%.1f,\"gbps\":%.2f,\"pct_triad\":%.1f,\"isa\":\"%s\",\"bytes_per_param\":%d,\"calls\":%zu}\n",
      config.c_str(), impl, threads, s.median(), s.min(), s.max(), gbps, 100 * gbps / triad_gbps, ctnn::simd_isa(),
      bytes_per_param, s.us.size());
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> sizes{"1M", "10M"}, threads{"1", "2"},
      opts{"sgd_momentum", "adam", "adamw", "lamb"};
  int rounds = 5;
  double budget = 0.15;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view f = argv[i];
    if (f == "--sizes") sizes = split(argv[i + 1]);
    else if (f == "--threads") threads = split(argv[i + 1]);
    else if (f == "--opts") opts = split(argv[i + 1]);
    else if (f == "--rounds") rounds = std::atoi(argv[i + 1]);
    else if (f == "--budget") budget = std::atof(argv[i + 1]);
    else {
      std::fprintf(stderr, "unknown option %s\n", argv[i]);
      return 2;
    }
  }
  const std::vector<opt_case> all{{"sgd_momentum", 3, 20}, {"adam", 4, 28}, {"adamw", 4, 28}, {"lamb", 4, 40}};

  for (const std::string& size_name : sizes) {
    const std::size_t n = parse_size(size_name);
    // Arenas: p, g, and up to two state arenas (m, v) per optimizer, made fresh per optimizer.
    ctnn::aligned_buffer<float> p(n), g(n), p0(n);
    fill(p0.data(), n, -1.f, 1.f, 1);
    fill(g.data(), n, -1e-2f, 1e-2f, 2);
    // Triad arrays sized for the largest working set (4 arenas of n → 4n/3 elements each).
    const std::size_t tmax = (4 * n + 2) / 3;
    ctnn::aligned_buffer<float> ta(tmax), tb(tmax), tc(tmax);
    fill(tb.data(), tmax, -1.f, 1.f, 3);
    fill(tc.data(), tmax, -1.f, 1.f, 4);
    std::fill(ta.data(), ta.data() + tmax, 0.f);

    for (const std::string& tn : threads) {
      const int t = std::atoi(tn.c_str());
      ctnn::set_num_threads(t);
      std::vector<opt_case> cases;
      for (const auto& o : all)
        if (std::find(opts.begin(), opts.end(), o.name) != opts.end()) cases.push_back(o);
      std::vector<samples> s_triad(cases.size()), s_opt(cases.size());
      const ctnn::optim::sgd sgd{.lr = 1e-3f, .momentum = 0.9f};
      const ctnn::optim::adam adam{};
      const ctnn::optim::adamw adamw{};
      const ctnn::optim::lamb lamb{};
      auto st_sgd = sgd.make_state<float>(n);
      auto st_adam = adam.make_state<float>(n);
      auto st_adamw = adamw.make_state<float>(n);
      auto st_lamb = lamb.make_state<float>(n);
      std::copy(p0.data(), p0.data() + n, p.data());
      for (int r = 0; r < rounds; ++r) {
        for (std::size_t k = 0; k < cases.size(); ++k) {
          const std::size_t tl = (std::size_t(cases[k].arenas) * n + 2) / 3;
          time_for(budget, s_triad[k], [&] { triad(ta.data(), tb.data(), tc.data(), 0.5f, tl); });
          const std::string& name = cases[k].name;
          time_for(budget, s_opt[k], [&] {
            if (name == "sgd_momentum") sgd.update(p.data(), g.data(), st_sgd, n);
            else if (name == "adam") adam.update(p.data(), g.data(), st_adam, n);
            else if (name == "adamw") adamw.update(p.data(), g.data(), st_adamw, n);
            else lamb.update(p.data(), g.data(), st_lamb, n);
          });
        }
      }
      for (std::size_t k = 0; k < cases.size(); ++k) {
        const std::string config = cases[k].name + "_" + size_name;
        const std::size_t tl = (std::size_t(cases[k].arenas) * n + 2) / 3;
        const double triad_bytes = 12.0 * double(tl);
        const double triad_gbps = triad_bytes / (s_triad[k].median() * 1e-6) * 1e-9;
        print(config, "triad", t, s_triad[k], triad_bytes, triad_gbps, 12);
        print(config, "ctnn", t, s_opt[k], double(cases[k].bytes_per_param) * double(n), triad_gbps,
              cases[k].bytes_per_param);
      }
    }
    volatile float sink = p[0] + ta[0];  // keeps the results observable
    (void)sink;
  }
  return 0;
}
