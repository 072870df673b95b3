// libtorch peer of bench_conv.cpp: the same three shapes and passes, timed the same way.
//   forward          at::relu_(at::conv2d(x, w, b, stride 1, padding 1))
//   backward_input   at::convolution_backward(..., output_mask {true, false, false})
//   backward_weights at::convolution_backward(..., bias_sizes {Out}, output_mask {false, true, true})
// Every pass is measured on NCHW-contiguous tensors and on channels_last ones; the faster of the
// two (by median) is reported, with "layout":"nchw" or "nhwc" (--layout nchw|nhwc: only that one).
// One JSON line per measurement, the fields of bench_conv.cpp plus layout and note:
//   {"bench":"conv","config":"cnn_conv2/forward","impl":"libtorch","threads":1,"batch":128,"median_us":..,
//    "min_us":..,"max_us":..,"gflops":..,"pct_peak":..,"isa":"avx512f","layout":"nchw","note":".."}
// gflops counts 2·batch·OH·OW·Out·C·K² per pass from the median; pct_peak is relative to the FMA
// peak (ctnn::kernels::fma_peak_gflops) at the same thread count, measured here unless --peak G
// gives it (run.sh passes the one bench_conv measured just before).
//
// Options: --threads T (only T), --budget S (seconds per measurement, default 0.3),
//          --config NAME (only that shape), --batch B (override the batch), --peak G, --layout L,
//          --mallopt (raise glibc's mmap/trim thresholds, as bench/train's libtorch peer does).
// Threads: at::set_num_threads(T), one inter-op thread, and OpenBLAS's own count through
// openblas_set_num_threads looked up at run time (libtorch does not set it).
#include <dlfcn.h>
#include <malloc.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include <ctnn/kernels/fma_peak.hpp>

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

std::string openblas_setup(int threads) {
  auto set = reinterpret_cast<void (*)(int)>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
  auto par = reinterpret_cast<int (*)()>(dlsym(RTLD_DEFAULT, "openblas_get_parallel"));
  if (set) set(threads);
  if (!par) return "openblas=absent";
  switch (par()) {
    case 0: return "openblas=sequential";
    case 1: return "openblas=pthread";
    case 2: return "openblas=openmp";
    default: return "openblas=unknown";
  }
}

struct stats {
  double median, min, max;
};

stats time_it(const std::function<void()>& f, double budget) {
  f();  // warm-up: lets libtorch pick and cache its algorithm, allocator sized
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

struct shape {
  const char* name;
  std::int64_t batch, C, H, W, K, S, P, Out;
};

// Deterministic values as bench_conv.cpp fills them (the timing does not depend on them).
at::Tensor filled(std::vector<std::int64_t> sizes, std::size_t mul) {
  at::Tensor t = at::empty(sizes, at::kFloat);
  float* p = t.data_ptr<float>();
  for (std::int64_t i = 0; i < t.numel(); ++i) p[i] = float((std::size_t(i) * mul) % 1000) / 1000.0f - 0.5f;
  return t;
}

void run_shape(const shape& s, double budget, int threads, double peak, const std::string& only_layout,
               const std::string& note) {
  const std::int64_t OH = (s.H + 2 * s.P - s.K) / s.S + 1, OW = (s.W + 2 * s.P - s.K) / s.S + 1;
  const at::Tensor x0 = filled({s.batch, s.C, s.H, s.W}, 7919), w0 = filled({s.Out, s.C, s.K, s.K}, 104729),
                   b0 = at::zeros({s.Out}), dz0 = filled({s.batch, s.Out, OH, OW}, 31);
  const double flops = 2.0 * double(s.batch * OH * OW) * double(s.Out) * double(s.C * s.K * s.K);
  const std::vector<std::int64_t> stride{s.S, s.S}, pad{s.P, s.P}, dil{1, 1}, outpad{0, 0};
  const std::vector<std::int64_t> bias_sizes{s.Out};

  struct best {
    stats st{1e30, 0, 0};
    const char* layout = "";
  } fwd, bin, bwt;
  for (const char* layout : {"nchw", "nhwc"}) {
    if (!only_layout.empty() && only_layout != layout) continue;
    const auto mf = std::string(layout) == "nhwc" ? at::MemoryFormat::ChannelsLast : at::MemoryFormat::Contiguous;
    const at::Tensor x = x0.contiguous(mf), w = w0.contiguous(mf), b = b0.clone(), dz = dz0.contiguous(mf);
    at::Tensor keep;
    const stats f = time_it([&] { keep = at::conv2d(x, w, b, stride, pad).relu_(); }, budget);
    const stats bi = time_it([&] {
      keep = std::get<0>(at::convolution_backward(dz, x, w, c10::nullopt, stride, pad, dil, false, outpad, 1,
                                                  {true, false, false}));
    }, budget);
    at::Tensor keep_b;
    const stats bw = time_it([&] {
      auto r = at::convolution_backward(dz, x, w, at::IntArrayRef(bias_sizes), stride, pad, dil, false, outpad, 1,
                                        {false, true, true});
      keep = std::get<1>(r);
      keep_b = std::get<2>(r);
    }, budget);
    if (f.median < fwd.st.median) fwd = {f, layout};
    if (bi.median < bin.st.median) bin = {bi, layout};
    if (bw.median < bwt.st.median) bwt = {bw, layout};
  }
  auto report = [&](const char* pass, const best& r) {
    const double gf = flops / r.st.median / 1e3;
    std::printf("{\"bench\":\"conv\",\"config\":\"%s/%s\",\"impl\":\"libtorch\",\"threads\":%d,\"batch\":%lld,"
                "\"median_us\":%.1f,\"min_us\":%.1f,\"max_us\":%.1f,\"gflops\":%.1f,\"pct_peak\":%.1f,\"isa\":\"%s\","
                "\"layout\":\"%s\",\"note\":\"%s\"}\n",
                s.name, pass, threads, static_cast<long long>(s.batch), r.st.median, r.st.min, r.st.max, gf,
                100.0 * gf / peak, isa(), r.layout, note.c_str());
  };
  report("forward", fwd);
  report("backward_input", bin);
  report("backward_weights", bwt);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  int only_threads = 0;
  double budget = 0.3, given_peak = 0;
  std::string only, only_layout;
  std::int64_t batch_override = 0;
  bool use_mallopt = false;
  for (int i = 1; i < argc; i += 2) {
    const std::string a = argv[i];
    const bool has = i + 1 < argc;
    if (a == "--mallopt") { use_mallopt = true; --i; }
    else if (has && a == "--threads") only_threads = std::atoi(argv[i + 1]);
    else if (has && a == "--budget") budget = std::atof(argv[i + 1]);
    else if (has && a == "--config") only = argv[i + 1];
    else if (has && a == "--batch") batch_override = std::strtoll(argv[i + 1], nullptr, 10);
    else if (has && a == "--peak") given_peak = std::atof(argv[i + 1]);
    else if (has && (a == "--layout") && (std::string(argv[i + 1]) == "nchw" || std::string(argv[i + 1]) == "nhwc"))
      only_layout = argv[i + 1];
    else {
      std::fprintf(stderr, "usage: %s [--threads T] [--budget S] [--config NAME] [--batch B] [--peak G] "
                   "[--layout nchw|nhwc] [--mallopt]\n", argv[0]);
      return 2;
    }
  }
  if (use_mallopt) {  // as bench/train: no fresh page faults for every temporary tensor
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
    mallopt(M_TOP_PAD, 64 << 20);
  }
  at::set_num_interop_threads(1);
  torch::NoGradGuard no_grad;
  const shape shapes[] = {
      {"cnn_conv1", 128, 1, 28, 28, 3, 1, 1, 32},
      {"cnn_conv2", 128, 32, 14, 14, 3, 1, 1, 64},
      {"c64_32x32", 32, 64, 32, 32, 3, 1, 1, 64},
  };
  for (int threads : {1, 2}) {
    if (only_threads && threads != only_threads) continue;
    at::set_num_threads(threads);
    std::string note = openblas_setup(threads);
    note += at::globalContext().userEnabledMkldnn() && at::hasMKLDNN() ? ",mkldnn=on" : ",mkldnn=off";
    note += use_mallopt ? ",mallopt=on" : ",mallopt=off";
    double peak = given_peak;
    if (peak <= 0) {
      peak = ctnn::kernels::fma_peak_gflops(threads);
      std::printf("{\"bench\":\"fma_peak\",\"impl\":\"libtorch\",\"threads\":%d,\"gflops\":%.1f,\"isa\":\"%s\"}\n", threads,
                  peak, isa());
    }
    for (auto s : shapes) {
      if (!only.empty() && only != s.name) continue;
      if (batch_override) s.batch = batch_override;
      run_shape(s, budget, threads, peak, only_layout, note);
    }
  }
}
