// Micro-benchmark of the convolution kernels: forward (bias + activation fused), input gradient
// and weight gradient (+ bias) of each layer shape, 1 and 2 threads. Shapes: the layers of
// examples/fashion_mnist_cnn.cpp at batch 128 (cnn_conv1: 1→32 on 28×28, cnn_conv2: 32→64 on
// 14×14, both 3×3 padding 1) and a 64→64 3×3 layer on 32×32 at batch 32 (c64_32x32).
// One JSON line per measurement (median and min-max of repeated calls within a time budget):
//   {"bench":"conv","config":"cnn_conv2/forward","impl":"ctnn","threads":1,"median_us":..,
//    "min_us":..,"max_us":..,"gflops":..,"pct_peak":..,"isa":"avx512f"}
// gflops counts 2·batch·OH·OW·Out·C·K² per pass from the median; pct_peak is relative to the
// FMA peak measured at the same thread count in this run ({"bench":"fma_peak",...} line).
//
// Options: --threads T (only T), --budget S (seconds per measurement, default 0.3),
//          --config NAME (only that shape), --batch B (override the batch).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include <ctnn/kernels/conv2d.hpp>
#include <ctnn/kernels/fma_peak.hpp>
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

struct shape {
  const char* name;
  std::size_t batch;
  void (*run)(const char* name, std::size_t batch, double budget, int threads, double peak);
};

struct stats {
  double median, min, max;
};

stats time_it(const std::function<void()>& f, double budget) {
  f();  // warm-up: sizes the workspace
  std::vector<double> t;
  const auto start = std::chrono::steady_clock::now();
  do {
    const auto a = std::chrono::steady_clock::now();
    f();
    t.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - a).count());
  } while (t.size() < 5 ||
           (std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() < budget && t.size() < 1000));
  std::sort(t.begin(), t.end());
  return {t[t.size() / 2], t.front(), t.back()};
}

template <std::size_t C, std::size_t H, std::size_t W, std::size_t K, std::size_t S, std::size_t P, std::size_t Out>
void run_shape(const char* name, std::size_t batch, double budget, int threads, double peak) {
  using G = ctnn::kernels::conv_geometry<C, H, W, K, S, P>;
  std::vector<float> x(batch * G::in_size), w(Out * G::patch), b(Out), y(batch * G::pixels * Out),
      dz(batch * G::pixels * Out), dx(batch * G::in_size), dw(Out * G::patch), db(Out);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = float((i * 7919) % 1000) / 1000.0f - 0.5f;
  for (std::size_t i = 0; i < w.size(); ++i) w[i] = float((i * 104729) % 1000) / 1000.0f - 0.5f;
  for (std::size_t i = 0; i < dz.size(); ++i) dz[i] = float((i * 31) % 1000) / 1000.0f - 0.5f;
  ctnn::kernels::workspace ws;
  const double flops = 2.0 * double(batch * G::pixels) * double(Out) * double(G::patch);
  auto report = [&](const char* pass, stats s) {
    const double gf = flops / s.median / 1e3;
    std::printf("{\"bench\":\"conv\",\"config\":\"%s/%s\",\"impl\":\"ctnn\",\"threads\":%d,\"batch\":%zu,"
                "\"median_us\":%.1f,\"min_us\":%.1f,\"max_us\":%.1f,\"gflops\":%.1f,\"pct_peak\":%.1f,\"isa\":\"%s\"}\n",
                name, pass, threads, batch, s.median, s.min, s.max, gf, 100.0 * gf / peak, isa());
  };
  const auto f = time_it([&] {
    ctnn::kernels::conv2d_forward<G, Out, ctnn::relu>(x.data(), batch, w.data(), b.data(), y.data(), static_cast<float*>(nullptr), ws);
  }, budget);
  const auto bi = time_it([&] { ctnn::kernels::conv2d_backward_input<G, Out>(dz.data(), batch, w.data(), dx.data(), ws); },
                          budget);
  const auto bw = time_it([&] {
    ctnn::kernels::conv2d_backward_weights<G, Out>(dz.data(), x.data(), batch, dw.data(), db.data(), false, ws);
  }, budget);
  report("forward", f);
  report("backward_input", bi);
  report("backward_weights", bw);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  int only_threads = 0;
  double budget = 0.3;
  std::string only;
  std::size_t batch_override = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--threads") only_threads = std::atoi(argv[i + 1]);
    else if (a == "--budget") budget = std::atof(argv[i + 1]);
    else if (a == "--config") only = argv[i + 1];
    else if (a == "--batch") batch_override = std::strtoul(argv[i + 1], nullptr, 10);
    else {
      std::fprintf(stderr, "usage: %s [--threads T] [--budget S] [--config NAME] [--batch B]\n", argv[0]);
      return 2;
    }
  }
  const shape shapes[] = {
      {"cnn_conv1", 128, &run_shape<1, 28, 28, 3, 1, 1, 32>},
      {"cnn_conv2", 128, &run_shape<32, 14, 14, 3, 1, 1, 64>},
      {"c64_32x32", 32, &run_shape<64, 32, 32, 3, 1, 1, 64>},
  };
  for (int threads : {1, 2}) {
    if (only_threads && threads != only_threads) continue;
    ctnn::set_num_threads(threads);
    const double peak = ctnn::kernels::fma_peak_gflops(threads);
    std::printf("{\"bench\":\"fma_peak\",\"threads\":%d,\"gflops\":%.1f,\"isa\":\"%s\"}\n", threads, peak, isa());
    for (const auto& s : shapes)
      if (only.empty() || only == s.name) s.run(s.name, batch_override ? batch_override : s.batch, budget, threads, peak);
  }
}
