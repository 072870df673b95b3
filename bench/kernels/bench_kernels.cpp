// Micro-benchmark of the dense-layer kernels on the training-bench networks.
//
// For each network (784-256-256-10 ReLU at batch 64/256, 32×128 ReLU at batch 128,
// 64-64-64-1 tanh at batch 32) and thread count (1, 2) it times, over all layers of one
// training step: the forward GEMMs (bias + activation fused), the input-gradient GEMMs
// (every layer but the first, previous activation's derivative fused) and the weight-gradient
// GEMMs (+ bias gradient), then the three together. One JSON line per measurement:
//   {"bench":"gemm","config":"mlp784_b256/forward","impl":"ctnn","threads":1,"median_us":..,
//    "min_us":..,"max_us":..,"gflops":..,"pct_peak":..,"isa":"avx512f"}
// gflops counts executed GEMM flops (2·M·N·K) from the median time; pct_peak is relative to
// the FMA peak measured here at the same thread count ({"bench":"fma_peak",...} lines; the
// best of the probes run before and after that thread count's GEMMs, as both only ever read
// low on a shared machine). Lines are printed after the second probe.
//
// Options: --layers (also one line per layer GEMM), --threads T (only T), --budget S (seconds
// per measurement, default 0.25), --config NAME (only that network).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include <ctnn/kernels/dense.hpp>
#include <ctnn/layers/activations.hpp>

namespace {

const char* isa() {
#if defined(__AVX512F__)
  return "avx512f";
#elif defined(__AVX2__) && defined(__FMA__)
  return "avx2+fma";
#else
  return "generic";
#endif
}

using kws = ctnn::kernels::workspace;
using fwd_fn = void (*)(const float*, std::size_t, const float*, const float*, float*, float*, kws&);
using bin_fn = void (*)(const float*, std::size_t, const float*, const float*, float*, kws&);
using bw_fn = void (*)(const float*, const float*, std::size_t, float*, float*, bool, kws&);

struct layer {
  std::size_t in, out;
  fwd_fn fwd;
  bin_fn bin;  // with the previous layer's activation derivative
  bw_fn bw;
};

template <std::size_t I, std::size_t O, class Act, class PrevAct>
layer make_layer() {
  return {I, O, &ctnn::kernels::dense_forward<I, O, Act, float>,
          &ctnn::kernels::dense_backward_input<I, O, PrevAct, float>,
          &ctnn::kernels::dense_backward_weights<I, O, false, float>};
}

struct network {
  std::string name;
  std::size_t batch;
  std::vector<layer> layers;
};

std::vector<network> networks() {
  std::vector<network> n;
  auto mlp = [] {
    return std::vector<layer>{make_layer<784, 256, ctnn::relu, ctnn::identity>(),
                              make_layer<256, 256, ctnn::relu, ctnn::relu>(),
                              make_layer<256, 10, ctnn::identity, ctnn::relu>()};
  };
  n.push_back({"mlp784_b256", 256, mlp()});
  n.push_back({"mlp784_b64", 64, mlp()});
  std::vector<layer> deep;
  deep.push_back(make_layer<128, 128, ctnn::relu, ctnn::identity>());
  for (int l = 1; l < 31; ++l) deep.push_back(make_layer<128, 128, ctnn::relu, ctnn::relu>());
  deep.push_back(make_layer<128, 128, ctnn::identity, ctnn::relu>());
  n.push_back({"deep_b128", 128, deep});
  n.push_back({"tiny_b32", 32,
               {make_layer<64, 64, ctnn::tanh, ctnn::identity>(), make_layer<64, 64, ctnn::tanh, ctnn::tanh>(),
                make_layer<64, 1, ctnn::identity, ctnn::tanh>()}});
  return n;
}

std::vector<float> rnd(std::size_t n, unsigned seed) {
  std::vector<float> v(n);
  unsigned s = seed * 2654435761u + 1;
  for (auto& e : v) {
    s = s * 1664525u + 1013904223u;
    e = float(s >> 8) * (2.0f / 16777216.0f) - 1.0f;
  }
  return v;
}

struct stats {
  double median, min, max;
};

stats time_it(const std::function<void()>& f, double budget) {
  for (int i = 0; i < 3; ++i) f();  // warm-up (workspace growth, caches)
  std::vector<double> t;
  const auto start = std::chrono::steady_clock::now();
  while (t.size() < 11 || (std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() < budget &&
                           t.size() < 100000)) {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    t.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(t.begin(), t.end());
  return {t[t.size() / 2], t.front(), t.back()};
}

struct result {
  std::string config;
  stats s;
  double flops;
};

void print(const std::string& config, int threads, stats s, double flops, double peak) {
  const double g = flops / s.median * 1e-3;
  std::printf(
      "{\"bench\":\"gemm\",\"config\":\"%s\",\"impl\":\"ctnn\",\"threads\":%d,\"median_us\":%.2f,\"min_us\":%.2f,"
      "\"max_us\":%.2f,\"gflops\":%.2f,\"pct_peak\":%.1f,\"isa\":\"%s\"}\n",
      config.c_str(), threads, s.median, s.min, s.max, g, 100.0 * g / peak, isa());
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  bool per_layer = false;
  int only_threads = 0;
  double budget = 0.25;
  std::string only;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--layers") per_layer = true;
    else if (a == "--threads" && i + 1 < argc) only_threads = std::atoi(argv[++i]);
    else if (a == "--budget" && i + 1 < argc) budget = std::atof(argv[++i]);
    else if (a == "--config" && i + 1 < argc) only = argv[++i];
    else {
      std::fprintf(stderr, "usage: %s [--layers] [--threads T] [--budget S] [--config NAME]\n", argv[0]);
      return 2;
    }
  }
  std::vector<int> thread_counts = only_threads ? std::vector<int>{only_threads} : std::vector<int>{1, 2};
  for (int threads : thread_counts) {
    const double peak0 = ctnn::kernels::fma_peak_gflops<float>(threads);
    std::vector<result> results;
    auto record = [&](const std::string& config, stats s, double flops) { results.push_back({config, s, flops}); };
    ctnn::set_num_threads(threads);
    for (const auto& net : networks()) {
      if (!only.empty() && net.name != only) continue;
      const std::size_t B = net.batch, L = net.layers.size();
      std::vector<std::vector<float>> act(L + 1), dz(L), dx(L), w(L), b(L), dw(L), db(L);
      act[0] = rnd(B * net.layers[0].in, 1);
      for (std::size_t l = 0; l < L; ++l) {
        const auto& ly = net.layers[l];
        act[l + 1].assign(B * ly.out, 0.f);
        dz[l] = rnd(B * ly.out, 10 + unsigned(l));
        dx[l].assign(B * ly.in, 0.f);
        w[l] = rnd(ly.out * ly.in, 100 + unsigned(l));
        for (auto& e : w[l]) e *= 0.1f;
        b[l] = rnd(ly.out, 200 + unsigned(l));
        dw[l].assign(ly.out * ly.in, 0.f);
        db[l].assign(ly.out, 0.f);
      }
      kws ws;
      auto fwd = [&](std::size_t l) {
        net.layers[l].fwd(act[l].data(), B, w[l].data(), b[l].data(), act[l + 1].data(), nullptr, ws);
      };
      auto bin = [&](std::size_t l) {
        net.layers[l].bin(dz[l].data(), B, w[l].data(), act[l].data(), dx[l].data(), ws);
      };
      auto bw = [&](std::size_t l) {
        net.layers[l].bw(dz[l].data(), act[l].data(), B, dw[l].data(), db[l].data(), false, ws);
      };
      double f_fwd = 0, f_bin = 0, f_bw = 0;
      for (std::size_t l = 0; l < L; ++l) {
        const double mnk = 2.0 * double(B) * double(net.layers[l].in) * double(net.layers[l].out);
        f_fwd += mnk;
        f_bw += mnk;
        if (l > 0) f_bin += mnk;
        if (per_layer) {
          const std::string tag = net.name + "/L" + std::to_string(l) + "_" + std::to_string(net.layers[l].in) + "x" +
                                  std::to_string(net.layers[l].out);
          if (l < 3 || l + 1 == L) {
            record(tag + "/forward", time_it([&] { fwd(l); }, budget / 2), mnk);
            if (l > 0) record(tag + "/backward_input", time_it([&] { bin(l); }, budget / 2), mnk);
            record(tag + "/backward_weights", time_it([&] { bw(l); }, budget / 2), mnk);
          }
        }
      }
      auto all_fwd = [&] { for (std::size_t l = 0; l < L; ++l) fwd(l); };
      auto all_bin = [&] { for (std::size_t l = L; l-- > 1;) bin(l); };
      auto all_bw = [&] { for (std::size_t l = L; l-- > 0;) bw(l); };
      record(net.name + "/forward", time_it(all_fwd, budget), f_fwd);
      record(net.name + "/backward_input", time_it(all_bin, budget), f_bin);
      record(net.name + "/backward_weights", time_it(all_bw, budget), f_bw);
      record(net.name + "/step",
             time_it([&] { all_fwd(); for (std::size_t l = L; l-- > 0;) { bw(l); if (l > 0) bin(l); } }, budget),
             f_fwd + f_bin + f_bw);
    }
    const double peak = std::max(peak0, ctnn::kernels::fma_peak_gflops<float>(threads));
    std::printf("{\"bench\":\"fma_peak\",\"threads\":%d,\"gflops\":%.2f,\"isa\":\"%s\"}\n", threads, peak, isa());
    for (const auto& r : results) print(r.config, threads, r.s, r.flops, peak);
  }
  return 0;
}
