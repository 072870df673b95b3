// The main job: a 784-256-256-10 ReLU MLP trained on Fashion-MNIST with SGD + Nesterov momentum,
// then evaluated on the 10,000 test images.
//
//   fashion_mnist_mlp [--epochs N] [--batch B] [--threads T] [--out DIR] [--csv metrics.csv]
//
// Data: the Debian package dataset-fashion-mnist (or $CTNN_FASHION_MNIST_DIR).
// Curves: DIR (default $CTNN_METRICS_DIR, else runs/fashion_mnist_mlp; created) receives
//   metrics.jsonl  one JSON line per step and per epoch (loss, learning rate, accuracies)
//   metrics.csv    one row per epoch (--csv FILE writes it elsewhere)
//   steps.csv      one row per step
// plotted by tools/plot_metrics.sh (scripts/run_main.sh does it when gnuplot is installed).
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <fmt/format.h>
#include <ctnn/ctnn.hpp>

#include "command_line.hpp"

using net = ctnn::sequential<ctnn::input<784>,
                             ctnn::dense<256>, ctnn::relu,
                             ctnn::dense<256>, ctnn::relu,
                             ctnn::dense<10, ctnn::init::xavier_uniform<>>>;

int main(int argc, char** argv) try {
  const example::command_line args(argc, argv, {"--epochs", "--batch", "--threads", "--out", "--csv"},
                                   "[--epochs N] [--batch B] [--threads T] [--out DIR] [--csv FILE]");
  const std::size_t epochs = args.count("--epochs", 15), batch = args.count("--batch", 64);
  const char* env_dir = std::getenv("CTNN_METRICS_DIR");
  const std::string out_dir = args.text("--out", env_dir && *env_dir ? env_dir : "runs/fashion_mnist_mlp");
  std::string csv = args.text("--csv", "");  // default: <out_dir>/metrics.csv
  if (args.has("--threads")) ctnn::set_num_threads(static_cast<int>(args.count("--threads", 1)));
  std::error_code ec;
  std::filesystem::create_directories(out_dir, ec);
  if (ec) {
    fmt::print(stderr, "fashion_mnist_mlp: cannot create the metrics directory '{}': {}\n", out_dir, ec.message());
    return 1;
  }
  const std::filesystem::path dir(out_dir);
  if (csv.empty()) csv = (dir / "metrics.csv").string();
  const std::string jsonl = (dir / "metrics.jsonl").string(), steps_csv = (dir / "steps.csv").string();

  const auto t0 = std::chrono::steady_clock::now();
  const auto train = ctnn::data::fashion_mnist::train();
  const auto test = ctnn::data::fashion_mnist::test();
  fmt::print("Fashion-MNIST: {} training and {} test images; {} threads, SIMD {}\n", train.size(), test.size(),
             ctnn::num_threads(), ctnn::simd_isa());

  ctnn::model<net> m{ctnn::seed{42}};
  const double lr0 = 0.05;
  ctnn::fit_options<ctnn::data::labeled_dataset> options{
      .epochs = epochs,
      .batch = batch,
      .seed = 1,
      .validation = &test,
      .metrics_csv = csv,
      .metrics_jsonl = jsonl,
      .metrics_steps_csv = steps_csv,
      // Cosine decay to zero over the run: the last epochs settle into a minimum.
      .learning_rate = [&](std::size_t e) {
        return lr0 * 0.5 * (1 + std::cos(3.14159265358979 * static_cast<double>(e) / static_cast<double>(epochs)));
      }};
  ctnn::fit(m, ctnn::loss::softmax_cross_entropy{}, ctnn::optim::sgd{.lr = 0.05f, .momentum = 0.9f, .nesterov = true},
            train, options);

  const double accuracy = ctnn::evaluate(m, test, ctnn::metric::accuracy{});
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  fmt::print("test accuracy {:.2f}% ({} epochs, {:.1f} s)\n", 100 * accuracy, epochs, seconds);
  fmt::print("metrics: {} (per step and epoch), {} (per epoch), {} (per step)\n", jsonl, csv, steps_csv);
  return 0;
} catch (const std::exception& e) {
  fmt::print(stderr, "fashion_mnist_mlp: {}\n", e.what());
  return 1;
}
