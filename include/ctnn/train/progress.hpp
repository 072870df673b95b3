#pragma once
// progress: what fit prints while it trains. On a terminal, one self-rewriting line per epoch
// (epoch, step, running loss, samples/s, ETA), redrawn at most every 100 ms; otherwise nothing
// mid-epoch. Both modes end each epoch with one plain line (the caller's epoch summary).
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <string>
#include <unistd.h>
#include <fmt/format.h>

namespace ctnn {

enum class progress_mode { automatic, bar, lines, quiet };

namespace detail {

class progress {
 public:
  progress(progress_mode mode, std::size_t epochs, std::size_t steps_per_epoch)
      : epochs_(epochs), steps_(steps_per_epoch) {
    if (mode == progress_mode::automatic) mode = ::isatty(::fileno(stderr)) ? progress_mode::bar : progress_mode::lines;
    mode_ = mode;
  }

  void start_epoch(std::size_t epoch) {
    epoch_ = epoch;
    epoch_start_ = last_draw_ = clock::now();
  }

  void step(std::size_t step, double running_loss, std::size_t samples_done) {
    if (mode_ != progress_mode::bar) return;
    const auto now = clock::now();
    if (now - last_draw_ < std::chrono::milliseconds(100) && step + 1 != steps_) return;
    last_draw_ = now;
    const double secs = std::chrono::duration<double>(now - epoch_start_).count();
    const double rate = secs > 0 ? static_cast<double>(samples_done) / secs : 0.0;
    const double eta = step + 1 > 0 ? secs * static_cast<double>(steps_ - step - 1) / static_cast<double>(step + 1) : 0.0;
    constexpr int width = 24;
    const int filled = static_cast<int>(width * (step + 1) / steps_);
    fmt::print(stderr, "\repoch {}/{} [{}{}] step {}/{} loss {:.4f} {:.0f} samples/s ETA {:.1f}s \x1b[K",
               epoch_ + 1, epochs_, std::string(static_cast<std::size_t>(filled), '='),
               std::string(static_cast<std::size_t>(width - filled), ' '), step + 1, steps_, running_loss, rate, eta);
    std::fflush(stderr);
  }

  /// Ends the epoch: clears the bar and prints the summary line (unless quiet).
  void end_epoch(const std::string& summary) {
    if (mode_ == progress_mode::bar) fmt::print(stderr, "\r\x1b[K");
    if (mode_ != progress_mode::quiet) {
      fmt::print("{}\n", summary);
      std::fflush(stdout);
    }
  }

 private:
  using clock = std::chrono::steady_clock;
  progress_mode mode_;
  std::size_t epochs_, steps_, epoch_ = 0;
  clock::time_point epoch_start_, last_draw_;
};

}  // namespace detail
}  // namespace ctnn
