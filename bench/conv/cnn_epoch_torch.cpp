// One training epoch of the CNN of examples/fashion_mnist_cnn.cpp in libtorch, beside
// cnn_epoch_ctnn.cpp: Conv2d(1,32,3,pad 1), BatchNorm2d, ReLU, MaxPool2d(2), Conv2d(32,64,3,pad 1),
// BatchNorm2d, ReLU, MaxPool2d(2), Flatten, Linear(3136,128), ReLU, Dropout(0.3), Linear(128,10);
// Adam lr 2e-3, batch 128, cross-entropy, a fresh shuffle every epoch, the last batch partial.
// Data: the first N of Fashion-MNIST's 60,000 training images (pixels / 255), or, when the dataset
// is not installed or N > 60000, random pixels and labels of the same size ("data":"random").
// Prints one JSON line (seconds: median over the repeats; each repeat is one epoch):
//   {"bench":"cnn_epoch","impl":"libtorch","threads":T,"samples":N,"seconds":..,"samples_per_s":..,...}
//
// Options: --threads T (1), --samples N (55000), --repeats R (1), --warmup W (steps before the
//          timed epochs, 3), --note TEXT (appended to the note field), --mallopt (raise glibc's
//          mmap/trim thresholds, as bench/train's libtorch peer does).
#include <dlfcn.h>
#include <malloc.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <ctnn/data/fashion_mnist.hpp>

namespace {

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

// The first n training images, or random ones (the same in cnn_epoch_ctnn.cpp).
ctnn::data::labeled_dataset load_data(std::size_t n, std::string& source) {
  if (n <= 60000) try {
      auto all = ctnn::data::fashion_mnist::train();
      xt::xtensor<float, 2> x = xt::empty<float>({n, std::size_t{784}});
      xt::xtensor<std::int32_t, 1> y = xt::empty<std::int32_t>({n});
      std::copy_n(all.x.data(), n * 784, x.data());
      std::copy_n(all.y.data(), n, y.data());
      source = "fashion_mnist";
      return ctnn::data::make_labeled(std::move(x), std::move(y), 10);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "cnn_epoch: %s; using random data\n", e.what());
    }
  xt::xtensor<float, 2> x = xt::empty<float>({n, std::size_t{784}});
  xt::xtensor<std::int32_t, 1> y = xt::empty<std::int32_t>({n});
  std::uint64_t s = 12345;
  for (std::size_t i = 0; i < n * 784; ++i) {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    x.data()[i] = float(s >> 56) / 255.0f;
  }
  for (std::size_t i = 0; i < n; ++i) y(i) = std::int32_t((i * 7 + i / 13) % 10);
  source = "random";
  return ctnn::data::make_labeled(std::move(x), std::move(y), 10);
}

}  // namespace

int main(int argc, char** argv) try {
  int threads = 1, repeats = 1, warmup = 3;
  std::size_t samples = 55000;
  std::string extra;
  bool use_mallopt = false;
  for (int i = 1; i < argc; i += 2) {
    const std::string a = argv[i];
    const bool has = i + 1 < argc;
    if (a == "--mallopt") { use_mallopt = true; --i; }
    else if (has && a == "--threads") threads = std::atoi(argv[i + 1]);
    else if (has && a == "--samples") samples = std::strtoul(argv[i + 1], nullptr, 10);
    else if (has && a == "--repeats") repeats = std::atoi(argv[i + 1]);
    else if (has && a == "--warmup") warmup = std::atoi(argv[i + 1]);
    else if (has && a == "--note") extra = argv[i + 1];
    else {
      std::fprintf(stderr, "usage: %s [--threads T] [--samples N] [--repeats R] [--warmup W] [--note TEXT] [--mallopt]\n", argv[0]);
      return 2;
    }
  }
  if (threads < 1 || repeats < 1 || samples == 0 || warmup < 0) {
    std::fprintf(stderr, "cnn_epoch_torch: --threads, --repeats and --samples must be positive\n");
    return 2;
  }
  if (use_mallopt) {  // as bench/train: no fresh page faults for every temporary tensor
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
    mallopt(M_TOP_PAD, 64 << 20);
  }
  at::set_num_interop_threads(1);
  at::set_num_threads(threads);
  std::string note = openblas_setup(threads);
  note += at::globalContext().userEnabledMkldnn() && at::hasMKLDNN() ? ",mkldnn=on" : ",mkldnn=off";
  note += use_mallopt ? ",mallopt=on" : ",mallopt=off";
  if (!extra.empty()) note += "," + extra;

  std::string source;
  const auto d = load_data(samples, source);
  const auto N = static_cast<std::int64_t>(samples);
  const torch::Tensor X = torch::from_blob(const_cast<float*>(d.x.data()), {N, 1, 28, 28}).clone();
  const torch::Tensor Y = torch::from_blob(const_cast<std::int32_t*>(d.y.data()), {N}, torch::kInt32).to(torch::kInt64);

  torch::manual_seed(42);
  namespace nn = torch::nn;
  nn::Sequential net(nn::Conv2d(nn::Conv2dOptions(1, 32, 3).padding(1)), nn::BatchNorm2d(32), nn::ReLU(),
                     nn::MaxPool2d(nn::MaxPool2dOptions(2)),                                           // 32×14×14
                     nn::Conv2d(nn::Conv2dOptions(32, 64, 3).padding(1)), nn::BatchNorm2d(64), nn::ReLU(),
                     nn::MaxPool2d(nn::MaxPool2dOptions(2)),                                           // 64×7×7
                     nn::Flatten(), nn::Linear(3136, 128), nn::ReLU(), nn::Dropout(0.3), nn::Linear(128, 10));
  torch::optim::Adam opt(net->parameters(), torch::optim::AdamOptions(2e-3));
  net->train();

  constexpr std::int64_t batch = 128;
  const std::int64_t steps = (N + batch - 1) / batch;
  auto step = [&](const torch::Tensor& idx) {
    const torch::Tensor xb = X.index_select(0, idx), yb = Y.index_select(0, idx);
    opt.zero_grad();
    const torch::Tensor loss = torch::nn::functional::cross_entropy(net->forward(xb), yb);
    loss.backward();
    opt.step();
    return loss.item<double>();
  };
  for (int s = 0; s < warmup; ++s) step(torch::arange(s * batch % N, std::min(N, s * batch % N + batch), torch::kLong));

  std::vector<double> secs;
  double loss = 0;
  for (int r = 0; r < repeats; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    const torch::Tensor perm = torch::randperm(N, torch::kLong);
    double sum = 0;
    for (std::int64_t s = 0; s < steps; ++s) sum += step(perm.slice(0, s * batch, std::min(N, (s + 1) * batch)));
    secs.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    loss = sum / double(steps);
  }
  std::vector<double> sorted = secs;
  std::sort(sorted.begin(), sorted.end());
  const double med = sorted[sorted.size() / 2];
  std::printf("{\"bench\":\"cnn_epoch\",\"impl\":\"libtorch\",\"threads\":%d,\"samples\":%zu,\"seconds\":%.3f,"
              "\"samples_per_s\":%.1f,\"repeats\":%d,\"min_s\":%.3f,\"max_s\":%.3f,\"loss\":%.4f,\"data\":\"%s\","
              "\"note\":\"%s\"}\n",
              threads, samples, med, double(samples) / med, repeats, sorted.front(), sorted.back(), loss, source.c_str(),
              note.c_str());
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "cnn_epoch_torch: %s\n", e.what());
  return 1;
}
