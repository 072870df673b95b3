// bench_optim_torch: libtorch's optimizer step (torch::optim::SGD / Adam / AdamW) on one float
// tensor of N parameters, in the same JSON lines as bench_optim, with its own STREAM-like triad
// measured in this process, interleaved (libtorch has no LAMB).
//
//   bench_optim_torch [--sizes 1M,10M] [--threads 1,2] [--rounds 5] [--budget 0.15] [--mallopt 0|1]
//
// --mallopt 1 (the default, as bench/train's libtorch setting) raises glibc's mmap/trim thresholds:
// libtorch's Adam allocates a fresh N-float temporary every step (exp_avg_sq.sqrt() ...), which
// glibc otherwise serves with mmap and returns with munmap, so each step page-faults it in anew.
//
// Bytes per parameter are counted as for ctnn (the minimum a fused update moves: sgd_momentum
// 5 × 4, adam/adamw 7 × 4), so gbps is the effective rate; libtorch's C++ optimizers run the
// update as a chain of tensor ops (several passes), so they move more than that.
// Threads: at::set_num_threads(t); the triad is an OpenMP loop with t threads.
#include <malloc.h>
#include <omp.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

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
  double median() const {
    std::vector<double> s = us;
    std::nth_element(s.begin(), s.begin() + s.size() / 2, s.end());
    return s[s.size() / 2];
  }
  double min() const { return *std::min_element(us.begin(), us.end()); }
  double max() const { return *std::max_element(us.begin(), us.end()); }
};

template <class F>
void time_for(double budget, samples& out, F&& f) {
  const auto start = clk::now();
  int calls = 0;
  while (calls < 3 || std::chrono::duration<double>(clk::now() - start).count() < budget) {
    const auto a = clk::now();
    f();
    out.us.push_back(std::chrono::duration<double, std::micro>(clk::now() - a).count());
    ++calls;
  }
}

void triad(float* a, const float* b, const float* c, float s, std::size_t n, int threads) {
#pragma omp parallel for simd num_threads(threads) schedule(static)
  for (std::size_t i = 0; i < n; ++i) a[i] = b[i] + s * c[i];
}

const char* isa() {
#if defined(__AVX512F__)
  return "avx512f";
#elif defined(__AVX2__)
  return "avx2";
#else
  return "sse2";
#endif
}

const char* note_extra = "";

void print(const std::string& config, const char* impl, int threads, const samples& s, double bytes,
           double triad_gbps, int bytes_per_param) {
  const double gbps = bytes / (s.median() * 1e-6) * 1e-9;
  std::printf(
      "{\"bench\":\"optim\",\"config\":\"%s\",\"impl\":\"%s\",\"threads\":%d,\"median_us\":%.1f,\"min_us\":%.1f,"
      "\"max_us\":%.1f,\"gbps\":%.2f,\"pct_triad\":%.1f,\"isa\":\"%s\",\"bytes_per_param\":%d,\"calls\":%zu,"
      "\"note\":\"libtorch %s%s\"}\n",
      config.c_str(), impl, threads, s.median(), s.min(), s.max(), gbps, 100 * gbps / triad_gbps, isa(),
      bytes_per_param, s.us.size(), TORCH_VERSION, note_extra);
  std::fflush(stdout);
}

struct opt_case {
  std::string name;
  int arenas, bytes_per_param;
};

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> sizes{"1M", "10M"}, threads{"1", "2"}, opts{"sgd_momentum", "adam", "adamw"};
  int rounds = 5;
  double budget = 0.15;
  bool mallopt_on = true;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view f = argv[i];
    if (f == "--sizes") sizes = split(argv[i + 1]);
    else if (f == "--threads") threads = split(argv[i + 1]);
    else if (f == "--opts") opts = split(argv[i + 1]);
    else if (f == "--rounds") rounds = std::atoi(argv[i + 1]);
    else if (f == "--budget") budget = std::atof(argv[i + 1]);
    else if (f == "--mallopt") mallopt_on = std::atoi(argv[i + 1]) != 0;
    else {
      std::fprintf(stderr, "unknown option %s\n", argv[i]);
      return 2;
    }
  }
  if (mallopt_on) {
    mallopt(M_MMAP_THRESHOLD, 32 << 20);  // glibc's max on 64-bit
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
    mallopt(M_TOP_PAD, 64 << 20);
    mallopt(M_MMAP_MAX, 0);  // 10M-float temporaries (40 MB) exceed the largest mmap threshold: no mmap at all
  }
  note_extra = mallopt_on ? " mallopt" : "";
  torch::NoGradGuard no_grad_outside_step;
  const std::vector<opt_case> all{{"sgd_momentum", 3, 20}, {"adam", 4, 28}, {"adamw", 4, 28}};
  for (const std::string& size_name : sizes) {
    const std::size_t n = parse_size(size_name);
    const std::size_t tmax = (4 * n + 2) / 3;
    std::vector<float> ta(tmax, 0.f), tb(tmax, 1.f), tc(tmax, 2.f);
    for (const std::string& tn : threads) {
      const int t = std::atoi(tn.c_str());
      at::set_num_threads(t);
      std::vector<opt_case> cases;
      for (const auto& o : all)
        if (std::find(opts.begin(), opts.end(), o.name) != opts.end()) cases.push_back(o);
      std::vector<samples> s_triad(cases.size()), s_opt(cases.size());
      std::vector<torch::Tensor> params;
      std::vector<std::unique_ptr<torch::optim::Optimizer>> optimizers;
      torch::manual_seed(1);
      for (const auto& c : cases) {
        auto p = torch::rand({static_cast<long>(n)}) * 2 - 1;
        p.set_requires_grad(true);
        p.mutable_grad() = (torch::rand({static_cast<long>(n)}) * 2 - 1) * 1e-2;
        params.push_back(p);
        if (c.name == "sgd_momentum")
          optimizers.push_back(std::make_unique<torch::optim::SGD>(
              std::vector<torch::Tensor>{p}, torch::optim::SGDOptions(1e-3).momentum(0.9)));
        else if (c.name == "adam")
          optimizers.push_back(
              std::make_unique<torch::optim::Adam>(std::vector<torch::Tensor>{p}, torch::optim::AdamOptions(1e-3)));
        else
          optimizers.push_back(std::make_unique<torch::optim::AdamW>(
              std::vector<torch::Tensor>{p}, torch::optim::AdamWOptions(1e-3).weight_decay(1e-2)));
      }
      for (int r = 0; r < rounds; ++r)
        for (std::size_t k = 0; k < cases.size(); ++k) {
          const std::size_t tl = (std::size_t(cases[k].arenas) * n + 2) / 3;
          time_for(budget, s_triad[k], [&] { triad(ta.data(), tb.data(), tc.data(), 0.5f, tl, t); });
          time_for(budget, s_opt[k], [&] { optimizers[k]->step(); });
        }
      for (std::size_t k = 0; k < cases.size(); ++k) {
        const std::string config = cases[k].name + "_" + size_name;
        const std::size_t tl = (std::size_t(cases[k].arenas) * n + 2) / 3;
        const double triad_bytes = 12.0 * double(tl);
        const double triad_gbps = triad_bytes / (s_triad[k].median() * 1e-6) * 1e-9;
        print(config, "triad_torchproc", t, s_triad[k], triad_bytes, triad_gbps, 12);
        print(config, "libtorch", t, s_opt[k], double(cases[k].bytes_per_param) * double(n), triad_gbps,
              cases[k].bytes_per_param);
      }
    }
    volatile float sink = ta[0];  // keeps the triad observable
    (void)sink;
  }
  return 0;
}
