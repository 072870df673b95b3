#pragma once
// progress: what fit prints while it trains. On a terminal (stderr a tty whose TERM is not "dumb"),
// one self-rewriting line per epoch (epoch, step, running loss, samples/s, time left in the epoch),
// redrawn at most every 100 ms and cut to the terminal's width: a line longer than the terminal
// wraps, and "\r" then returns only to its last row, so every redraw left a new line on an
// 80-column terminal. Otherwise nothing mid-epoch. Both modes end each epoch with one plain line
// (the caller's epoch summary). If training stops with an error, the destructor ends the bar's
// line, so the error starts on a line of its own.
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <sys/ioctl.h>
#include <unistd.h>
#include <fmt/format.h>

namespace ctnn {

enum class progress_mode { automatic, bar, lines, quiet };

namespace detail {

/// Columns of the terminal on stderr (TIOCGWINSZ, else $COLUMNS, else 80).
inline std::size_t terminal_columns() {
  struct ::winsize w {};
  if (::ioctl(::fileno(stderr), TIOCGWINSZ, &w) == 0 && w.ws_col > 0) return w.ws_col;
  if (const char* c = std::getenv("COLUMNS")) {
    const long v = std::strtol(c, nullptr, 10);
    if (v > 0) return static_cast<std::size_t>(v);
  }
  return 80;
}

/// Seconds as "42s", "3m05s" or "1h02m".
inline std::string short_duration(double s) {
  if (!(s >= 0) || s > 1e7) return "?";
  const auto t = static_cast<long long>(s + 0.5);
  if (t < 60) return fmt::format("{}s", t);
  if (t < 3600) return fmt::format("{}m{:02}s", t / 60, t % 60);
  return fmt::format("{}h{:02}m", t / 3600, (t % 3600) / 60);
}

class progress {
 public:
  progress(progress_mode mode, std::size_t epochs, std::size_t steps_per_epoch)
      : epochs_(epochs), steps_(steps_per_epoch) {
    if (mode == progress_mode::automatic) {
      const char* term = std::getenv("TERM");
      const bool dumb = term != nullptr && std::strcmp(term, "dumb") == 0;
      mode = ::isatty(::fileno(stderr)) && !dumb ? progress_mode::bar : progress_mode::lines;
    }
    mode_ = mode;
  }
  progress(const progress&) = delete;
  progress& operator=(const progress&) = delete;
  ~progress() {
    if (drawn_) {
      fmt::print(stderr, "\n");
      std::fflush(stderr);
    }
  }

  /// Starts an epoch whose first `first_step` steps were done before (a resumed run): the rate and
  /// the time left count only the steps this process runs.
  void start_epoch(std::size_t epoch, std::size_t first_step = 0) {
    epoch_ = epoch;
    first_step_ = first_step;
    epoch_start_ = last_draw_ = clock::now();
  }

  /// After step `step` (0-based) of the epoch; samples_done: samples this process has trained on
  /// in this epoch.
  void step(std::size_t step, double running_loss, std::size_t samples_done) {
    if (mode_ != progress_mode::bar) return;
    const auto now = clock::now();
    if (now - last_draw_ < std::chrono::milliseconds(100) && step + 1 != steps_) return;
    last_draw_ = now;
    const double secs = std::chrono::duration<double>(now - epoch_start_).count();
    const double rate = secs > 0 ? static_cast<double>(samples_done) / secs : 0.0;
    const std::size_t run = step + 1 > first_step_ ? step + 1 - first_step_ : 1;
    const double left = secs * static_cast<double>(steps_ - step - 1) / static_cast<double>(run);
    const std::string text = fmt::format("step {}/{} loss {:.4f} {:.0f} samples/s epoch left {}", step + 1, steps_,
                                         running_loss, rate, short_duration(left));
    const std::string head = fmt::format("epoch {}/{} ", epoch_ + 1, epochs_);
    // The bar takes what the terminal has left, up to 24 columns; the line never reaches the last
    // column (writing there wraps on some terminals).
    const std::size_t cols = terminal_columns() - 1;
    std::string line = head + text;
    if (line.size() + 3 + 8 <= cols) {
      const std::size_t width = std::min<std::size_t>(24, cols - line.size() - 3);
      const std::size_t filled = width * (step + 1) / steps_;
      line = head + "[" + std::string(filled, '=') + std::string(width - filled, ' ') + "] " + text;
    }
    if (line.size() > cols) line.resize(cols);
    fmt::print(stderr, "\r{}\x1b[K", line);
    std::fflush(stderr);
    drawn_ = true;
  }

  /// Ends the epoch: clears the bar and prints the summary line (unless quiet).
  void end_epoch(const std::string& summary) {
    if (mode_ == progress_mode::bar && drawn_) fmt::print(stderr, "\r\x1b[K");
    drawn_ = false;
    if (mode_ != progress_mode::quiet) {
      fmt::print("{}\n", summary);
      std::fflush(stdout);
    }
  }

 private:
  using clock = std::chrono::steady_clock;
  progress_mode mode_;
  std::size_t epochs_, steps_, epoch_ = 0, first_step_ = 0;
  clock::time_point epoch_start_, last_draw_;
  bool drawn_ = false;  ///< a bar line is on screen, not yet cleared or ended
};

}  // namespace detail
}  // namespace ctnn
