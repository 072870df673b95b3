// A small CNN on Fashion-MNIST: two conv blocks (3×3 conv, BatchNorm2d, ReLU, 2×2 max pool), a
// 128-unit hidden layer with dropout, trained with Adam and a cosine schedule, then evaluated
// on the 10,000 test images. 5,000 training images are held out for the per-epoch validation.
//
//   fashion_mnist_cnn [--epochs N] [--batch B] [--threads T] [--csv metrics.csv] [--save model.safetensors]
//
// Data: the Debian package dataset-fashion-mnist (or $CTNN_FASHION_MNIST_DIR).
#include <chrono>
#include <cmath>
#include <string>
#include <fmt/format.h>
#include <ctnn/ctnn.hpp>
#include <ctnn/data/split.hpp>
#include <ctnn/io/safetensors.hpp>

#include "command_line.hpp"

namespace cn = ctnn;
using he = cn::init::kaiming_normal<>;
using bn = cn::norm::batch_norm<>;

using net = cn::sequential<cn::input<1, 28, 28>,                               // NCHW, as the dataset stores it
                           cn::conv2d<32, 3, 1, 1, he, bn>, cn::relu, cn::max_pool2d<2>,  // 32×14×14
                           cn::conv2d<64, 3, 1, 1, he, bn>, cn::relu, cn::max_pool2d<2>,  // 64×7×7
                           cn::flatten,
                           cn::dense<128, he>, cn::relu, cn::dropout<30>,
                           cn::dense<10, cn::init::xavier_uniform<>>>;

int main(int argc, char** argv) try {
  const example::command_line args(argc, argv, {"--epochs", "--batch", "--threads", "--csv", "--save"},
                                   "[--epochs N] [--batch B] [--threads T] [--csv FILE] [--save FILE]");
  const std::size_t epochs = args.count("--epochs", 12), batch = args.count("--batch", 128);
  const std::string csv = args.text("--csv", "fashion_mnist_cnn.csv"), save = args.text("--save", "");
  if (args.has("--threads")) cn::set_num_threads(static_cast<int>(args.count("--threads", 1)));

  const auto t0 = std::chrono::steady_clock::now();
  const auto all = cn::data::fashion_mnist::train();
  const auto test = cn::data::fashion_mnist::test();
  const auto split = cn::data::split_train_validation(all, 5000.0 / 60000.0, /*seed=*/3);
  fmt::print("Fashion-MNIST: {} training, {} validation, {} test images; {} threads, SIMD {}\n", split.train.size(),
             split.validation.size(), test.size(), cn::num_threads(), cn::simd_isa());

  cn::model<net> m{cn::seed{42}};
  const double lr0 = 2e-3;
  cn::fit_options<cn::data::labeled_dataset> options{
      .epochs = epochs,
      .batch = batch,
      .seed = 1,
      .validation = &split.validation,
      .metrics_csv = csv,
      // Cosine decay to zero over the run.
      .learning_rate = [&](std::size_t e) {
        return lr0 * 0.5 * (1 + std::cos(3.14159265358979 * static_cast<double>(e) / static_cast<double>(epochs)));
      }};
  const auto t_fit = std::chrono::steady_clock::now();
  cn::fit(m, cn::loss::softmax_cross_entropy{}, cn::optim::adam{.lr = float(lr0)}, split.train, options);
  const double fit_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_fit).count();

  const double accuracy = cn::evaluate(m, test, cn::metric::accuracy{});
  if (!save.empty()) cn::save(m, save);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  fmt::print("test accuracy {:.2f}% ({} epochs, {:.1f} s per epoch, {:.1f} s in all)\n", 100 * accuracy, epochs,
             fit_seconds / double(epochs), seconds);
  return 0;
} catch (const std::exception& e) {
  fmt::print(stderr, "fashion_mnist_cnn: {}\n", e.what());
  return 1;
}
