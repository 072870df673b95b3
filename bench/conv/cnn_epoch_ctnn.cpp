// One training epoch of the CNN of examples/fashion_mnist_cnn.cpp with ctnn::fit, beside
// cnn_epoch_torch.cpp: the same `net` type, Adam lr 2e-3, batch 128, softmax cross-entropy, a
// fresh shuffle every epoch, the last batch partial, no validation, progress off.
// Data: the first N of Fashion-MNIST's 60,000 training images (pixels / 255), or, when the dataset
// is not installed or N > 60000, random pixels and labels of the same size ("data":"random").
// Prints one JSON line (seconds: median over the repeats of fit's own per-epoch training time):
//   {"bench":"cnn_epoch","impl":"ctnn","threads":T,"samples":N,"seconds":..,"samples_per_s":..,...}
//
// Options: --threads T (1), --samples N (55000), --repeats R (1), --warmup W (steps before the
//          timed epochs, 3), --note TEXT (appended to the note field).
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <ctnn/ctnn.hpp>
#include <ctnn/data/fashion_mnist.hpp>

namespace cn = ctnn;
using he = cn::init::kaiming_normal<>;
using bn = cn::norm::batch_norm<>;

// Exactly the network of examples/fashion_mnist_cnn.cpp.
using net = cn::sequential<cn::input<1, 28, 28>,                               // NCHW, as the dataset stores it
                           cn::conv2d<32, 3, 1, 1, he, bn>, cn::relu, cn::max_pool2d<2>,  // 32×14×14
                           cn::conv2d<64, 3, 1, 1, he, bn>, cn::relu, cn::max_pool2d<2>,  // 64×7×7
                           cn::flatten,
                           cn::dense<128, he>, cn::relu, cn::dropout<30>,
                           cn::dense<10, cn::init::xavier_uniform<>>>;

namespace {

// The first n training images, or random ones (the same in cnn_epoch_torch.cpp).
cn::data::labeled_dataset load_data(std::size_t n, std::string& source) {
  if (n <= 60000) try {
      auto all = cn::data::fashion_mnist::train();
      xt::xtensor<float, 2> x = xt::empty<float>({n, std::size_t{784}});
      xt::xtensor<std::int32_t, 1> y = xt::empty<std::int32_t>({n});
      std::copy_n(all.x.data(), n * 784, x.data());
      std::copy_n(all.y.data(), n, y.data());
      source = "fashion_mnist";
      return cn::data::make_labeled(std::move(x), std::move(y), 10);
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
  return cn::data::make_labeled(std::move(x), std::move(y), 10);
}

}  // namespace

int main(int argc, char** argv) try {
  int threads = 1, repeats = 1, warmup = 3;
  std::size_t samples = 55000;
  std::string extra;
  for (int i = 1; i < argc; i += 2) {
    const std::string a = argv[i];
    const bool has = i + 1 < argc;
    if (has && a == "--threads") threads = std::atoi(argv[i + 1]);
    else if (has && a == "--samples") samples = std::strtoul(argv[i + 1], nullptr, 10);
    else if (has && a == "--repeats") repeats = std::atoi(argv[i + 1]);
    else if (has && a == "--warmup") warmup = std::atoi(argv[i + 1]);
    else if (has && a == "--note") extra = argv[i + 1];
    else {
      std::fprintf(stderr, "usage: %s [--threads T] [--samples N] [--repeats R] [--warmup W] [--note TEXT]\n", argv[0]);
      return 2;
    }
  }
  if (threads < 1 || repeats < 1 || samples == 0 || warmup < 0) {
    std::fprintf(stderr, "cnn_epoch_ctnn: --threads, --repeats and --samples must be positive\n");
    return 2;
  }
  cn::set_num_threads(threads);
  std::string note = std::string("simd=") + cn::simd_isa();
  if (!extra.empty()) note += "," + extra;

  std::string source;
  const auto d = load_data(samples, source);
  cn::model<net> m{cn::seed{42}};
  const cn::optim::adam adam{.lr = 2e-3f};
  constexpr std::size_t batch = 128;

  if (warmup > 0) {  // a few untimed steps: sizes the workspaces, as the first calls do in libtorch
    const std::size_t w = std::min(samples, std::size_t(warmup) * batch);
    xt::xtensor<float, 2> x = xt::empty<float>({w, std::size_t{784}});
    xt::xtensor<std::int32_t, 1> y = xt::empty<std::int32_t>({w});
    std::copy_n(d.x.data(), w * 784, x.data());
    std::copy_n(d.y.data(), w, y.data());
    const auto head = cn::data::make_labeled(std::move(x), std::move(y), 10);
    cn::fit(m, cn::loss::softmax_cross_entropy{}, adam, head,
            {.epochs = 1, .batch = batch, .seed = 0, .progress = cn::progress_mode::quiet});
  }

  const auto history = cn::fit(m, cn::loss::softmax_cross_entropy{}, adam, d,
                               {.epochs = std::size_t(repeats), .batch = batch, .seed = 1,
                                .progress = cn::progress_mode::quiet});
  std::vector<double> sorted;
  for (const auto& e : history) sorted.push_back(e.seconds);
  std::sort(sorted.begin(), sorted.end());
  const double med = sorted[sorted.size() / 2];
  std::printf("{\"bench\":\"cnn_epoch\",\"impl\":\"ctnn\",\"threads\":%d,\"samples\":%zu,\"seconds\":%.3f,"
              "\"samples_per_s\":%.1f,\"repeats\":%d,\"min_s\":%.3f,\"max_s\":%.3f,\"loss\":%.4f,\"data\":\"%s\","
              "\"note\":\"%s\"}\n",
              threads, samples, med, double(samples) / med, repeats, sorted.front(), sorted.back(),
              history.back().train_loss, source.c_str(), note.c_str());
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "cnn_epoch_ctnn: %s\n", e.what());
  return 1;
}
