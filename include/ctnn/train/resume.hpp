#pragma once
// Resuming fit exactly. fit's only randomness is the sample order: a vector `order` that is
// shuffled IN PLACE at the start of every epoch by rng(seed, epoch) (Fisher–Yates, below), so
// epoch e's order depends on every earlier shuffle. fit_position captures everything a resumed
// run needs to continue bitwise identically (same thread count) to an uninterrupted one:
// parameters and optimizer state are saved alongside it by ctnn::save_checkpoint.
//
// Resume rule (what fit does with a loaded position p, data of n samples):
//   require p.order.size() == n;  order = p.order;  global_step = p.global_step;
//   start at epoch p.epoch, step p.step; loss_sum / train accuracy of that epoch from p;
//   at the start of epoch p.epoch shuffle only if p.step == 0 (otherwise `order` already holds
//   that epoch's shuffled order); later epochs as usual. The learning-rate schedule is a function
//   of the epoch, so it resumes with it.
// A position is taken after a completed step: step in 1..steps_per_epoch−1, or normalized to
// (epoch + 1, step 0) at the end of an epoch (next_epoch()).
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <span>
#include <utility>
#include <vector>
#include <ctnn/core/rng.hpp>

namespace ctnn {

struct fit_position {
  std::uint64_t epoch = 0;        ///< 0-based epoch in progress
  std::uint64_t step = 0;         ///< steps of that epoch already taken
  std::uint64_t global_step = 0;  ///< steps taken since the start of training
  std::uint64_t seed = 0;         ///< fit_options::seed (the shuffling seed)
  bool shuffle = true;            ///< fit_options::shuffle
  /// fit_options::batch, which places `step` in the sample order; 0: not recorded (checkpoints
  /// written before it was).
  std::uint64_t batch = 0;
  /// data_fingerprint of the training set; 0: not recorded (checkpoints written before it was).
  std::uint64_t data_fingerprint = 0;
  bool drop_last = false;         ///< fit_options::drop_last (false in checkpoints written before it)
  std::vector<std::size_t> order; ///< the sample order as it is now (shuffled in place each epoch)
  double loss_sum = 0;            ///< sum of this epoch's step losses so far
  std::uint64_t correct = 0, total = 0;  ///< this epoch's training-accuracy counts so far

  /// Moves to the start of the next epoch (the order is kept: the next shuffle starts from it).
  void next_epoch() {
    ++epoch;
    step = 0;
    loss_sum = 0;
    correct = total = 0;
  }
};

/// The shuffle fit applies at the start of epoch `epoch`, in place (Fisher–Yates with rng(seed, epoch)).
inline void shuffle_for_epoch(std::span<std::size_t> order, std::uint64_t seed, std::uint64_t epoch) {
  if (order.size() < 2) return;
  rng g(seed, epoch);
  for (std::size_t i = order.size() - 1; i > 0; --i) std::swap(order[i], order[g.below(i + 1)]);
}

/// The order fit holds after the shuffles of epochs 0..epochs−1 (identity when shuffle is off).
inline std::vector<std::size_t> replay_order(std::size_t n, std::uint64_t seed, std::uint64_t epochs, bool shuffle = true) {
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  if (shuffle)
    for (std::uint64_t e = 0; e < epochs; ++e) shuffle_for_epoch(order, seed, e);
  return order;
}

}  // namespace ctnn
