// A ResNet-20-style residual network on Fashion-MNIST (21 conv layers: a stem, three stages of
// three two-conv blocks at 16, 32 and 64 channels on 28×28, 14×14 and 7×7, the first block of
// the second and third stages downsampling with a strided conv and a 1×1 projection shortcut),
// trained twice:
//   - fixup:      no normalization; Fixup init (Zhang et al. 2019: the last conv of each branch
//                 and the classifier start at 0, the others scaled by L^(−1/(2m−2))) with its
//                 scalar biases and multipliers in every branch;
//   - batch_norm: BatchNorm2d after every conv (He et al. 2016).
// The point (catalogue §A3): without normalization a 21-layer ResNet trains from Fixup's start.
//
//   resnet_fashion_mnist [--epochs N] [--samples N] [--batch B] [--threads T] [--variant fixup|batch_norm|both]
//                        [--lr LR]   (SGD + Nesterov momentum 0.9, weight decay 5e-4, 100 warm-up steps to LR, then cosine;
//                                     default 0.02 for fixup, 0.1 for batch_norm)
//
// Data: the Debian package dataset-fashion-mnist (or $CTNN_FASHION_MNIST_DIR).
#include <chrono>
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>
#include <fmt/format.h>
#include <ctnn/ctnn.hpp>
#include <ctnn/data/split.hpp>
#include <ctnn/layers/scalar_bias.hpp>
#include <ctnn/layers/scalar_scale.hpp>

#include "command_line.hpp"

namespace cn = ctnn;
using he = cn::init::kaiming_normal<>;

// ---- batch_norm variant: conv → BN (→ ReLU) inside each branch, ReLU after the addition ----
using bn = cn::norm::batch_norm<>;
template <std::size_t C>
using bn_block = cn::residual<cn::conv2d<C, 3, 1, 1, he, bn>, cn::relu, cn::conv2d<C, 3, 1, 1, he, bn>>;
template <std::size_t C>
using bn_down = cn::residual<cn::shortcut<cn::conv2d<C, 1, 2, 0, he, bn>>,
                             cn::conv2d<C, 3, 2, 1, he, bn>, cn::relu, cn::conv2d<C, 3, 1, 1, he, bn>>;
using resnet_bn = cn::sequential<
    cn::input<1, 28, 28>, cn::conv2d<16, 3, 1, 1, he, bn>, cn::relu,
    bn_block<16>, cn::relu, bn_block<16>, cn::relu, bn_block<16>, cn::relu,   // 16 × 28 × 28
    bn_down<32>, cn::relu, bn_block<32>, cn::relu, bn_block<32>, cn::relu,    // 32 × 14 × 14
    bn_down<64>, cn::relu, bn_block<64>, cn::relu, bn_block<64>, cn::relu,    // 64 × 7 × 7
    cn::global_avg_pool, cn::dense<10>>;

// ---- fixup variant: no normalization; scalar biases before each conv and activation, a scalar
// multiplier after the branch's last conv (Fixup §3) ----
template <std::size_t C>
using fx_block = cn::residual<cn::scalar_bias, cn::conv2d<C, 3, 1, 1, he>, cn::scalar_bias, cn::relu,
                              cn::scalar_bias, cn::conv2d<C, 3, 1, 1, he>, cn::scalar_scale, cn::scalar_bias>;
template <std::size_t C>
using fx_down = cn::residual<cn::shortcut<cn::conv2d<C, 1, 2, 0, he>>,
                             cn::scalar_bias, cn::conv2d<C, 3, 2, 1, he>, cn::scalar_bias, cn::relu,
                             cn::scalar_bias, cn::conv2d<C, 3, 1, 1, he>, cn::scalar_scale, cn::scalar_bias>;
using resnet_fixup = cn::sequential<
    cn::input<1, 28, 28>, cn::conv2d<16, 3, 1, 1, he>, cn::relu,
    fx_block<16>, cn::relu, fx_block<16>, cn::relu, fx_block<16>, cn::relu,
    fx_down<32>, cn::relu, fx_block<32>, cn::relu, fx_block<32>, cn::relu,
    fx_down<64>, cn::relu, fx_block<64>, cn::relu, fx_block<64>, cn::relu,
    cn::global_avg_pool, cn::scalar_bias, cn::dense<10>>;

template <class Net>
double train(const char* name, bool fixup, const cn::data::labeled_dataset& train_set,
             const cn::data::labeled_dataset& test, std::size_t epochs, std::size_t batch, double lr0) {
  cn::model<Net> m{cn::seed{7}};
  std::size_t convs = 0;
  for (const auto& s : m.slots) convs += s.rank == 4;
  if (fixup) {
    const auto r = cn::init::apply_fixup(m);
    fmt::print("{}: {} conv layers, {} parameters; Fixup over {} residual branches\n", name, convs, m.parameter_count,
               r.branches);
  } else {
    fmt::print("{}: {} conv layers, {} parameters\n", name, convs, m.parameter_count);
  }
  // Per step: a linear warm-up over the first 100 steps, then a cosine decay to 0.
  const std::size_t steps = epochs * ((train_set.size() + batch - 1) / batch);
  cn::fit_options<cn::data::labeled_dataset> options{
      .epochs = epochs, .batch = batch, .seed = 1, .validation = &test,
      .schedule = [=](std::size_t step) {
        const double warm = std::min(1.0, double(step + 1) / 100.0);
        return lr0 * warm * 0.5 * (1 + std::cos(3.14159265358979 * double(step) / double(steps)));
      }};
  const auto t0 = std::chrono::steady_clock::now();
  cn::fit(m, cn::loss::softmax_cross_entropy{},
          cn::optim::sgd{.lr = float(lr0), .momentum = 0.9f, .weight_decay = 5e-4f, .nesterov = true}, train_set, options);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double accuracy = cn::evaluate(m, test, cn::metric::accuracy{});
  fmt::print("{}: test accuracy {:.2f}% ({} epochs on {} images, {:.1f} s per epoch)\n", name, 100 * accuracy, epochs,
             train_set.size(), seconds / double(epochs));
  return accuracy;
}

int main(int argc, char** argv) try {
  const example::command_line args(
      argc, argv, {"--epochs", "--samples", "--batch", "--threads", "--variant", "--lr"},
      "[--epochs N] [--samples N] [--batch B] [--threads T] [--variant fixup|batch_norm|both] [--lr LR]");
  const std::size_t epochs = args.count("--epochs", 2), batch = args.count("--batch", 128);
  const std::size_t samples = args.count("--samples", 60000);
  // Without normalization the step must be smaller: at 0.1 the Fixup network's loss went to NaN
  // at step 49 of the first epoch (fit stops there and names the block); 0.02 trains.
  const double lr_fixup = args.positive("--lr", 0.02), lr_bn = args.positive("--lr", 0.1);
  const std::string variant = args.text("--variant", "both");
  if (variant != "fixup" && variant != "batch_norm" && variant != "both")
    throw cn::error(fmt::format("--variant must be fixup, batch_norm or both, not '{}'", variant));
  if (args.has("--threads")) cn::set_num_threads(static_cast<int>(args.count("--threads", 1)));
  auto all = cn::data::fashion_mnist::train();
  const auto test = cn::data::fashion_mnist::test();
  if (samples < all.size()) all = cn::data::split_train_validation(all, 1.0 - double(samples) / double(all.size()), 3).train;
  fmt::print("Fashion-MNIST: {} training and {} test images; {} threads, SIMD {}\n", all.size(), test.size(),
             cn::num_threads(), cn::simd_isa());
  if (variant != "batch_norm") train<resnet_fixup>("fixup (no normalization)", true, all, test, epochs, batch, lr_fixup);
  if (variant != "fixup") train<resnet_bn>("batch_norm", false, all, test, epochs, batch, lr_bn);
  return 0;
} catch (const std::exception& e) {
  fmt::print(stderr, "resnet_fashion_mnist: {}\n", e.what());
  return 1;
}
