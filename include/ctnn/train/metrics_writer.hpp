#pragma once
// metrics_writer: the metrics files of one fit run (fit_options::metrics_csv, metrics_jsonl,
// metrics_steps_csv; each optional). Every file is started afresh (truncated) when the writer is
// built, before the first step, so a path that cannot be written fails at once, not after an
// epoch of training; each is flushed at the end of every epoch and checked, so a full disk or a
// vanished directory stops training with an error naming the file and the epoch.
//
// Formats (numbers as printed by fmt; a value that does not exist is left out of JSON and written
// as nan in CSV):
//   metrics_csv        one row per epoch:
//                      epoch,train_loss,train_accuracy,validation_accuracy,validation_loss,seconds,samples_per_second
//   metrics_steps_csv  one row per optimizer step:   epoch,step,loss,lr
//   metrics_jsonl      one JSON object per line, in order:
//                      {"kind":"step","epoch":E,"step":S,"loss":L,"lr":R}
//                      {"kind":"epoch","epoch":E,"step":S,"train_loss":L,"train_accuracy":A,
//                       "val_accuracy":A,"val_loss":L,"seconds":T,"samples_per_second":R}
// epoch is 1-based; step is the global step count after the update (1, 2, ... across epochs, so
// it is strictly increasing and continues across a resumed run); loss is the step's mean batch
// loss, lr the learning rate the step used; train_accuracy (classification), val_accuracy
// (classification with a validation set) and val_loss (regression with a validation set) appear
// only when they exist. A resumed run starts its files afresh too, its first step line being the
// first step after the checkpoint.
#include <cerrno>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <fstream>
#include <string>
#include <fmt/format.h>
#include <ctnn/core/error.hpp>

namespace ctnn::detail {

class metrics_writer {
 public:
  metrics_writer(std::string epoch_csv, std::string jsonl, std::string steps_csv)
      : epoch_csv_path_(std::move(epoch_csv)), jsonl_path_(std::move(jsonl)), steps_csv_path_(std::move(steps_csv)) {
    open(epoch_csv_, epoch_csv_path_);
    open(jsonl_, jsonl_path_);
    open(steps_csv_, steps_csv_path_);
    if (epoch_csv_.is_open())
      epoch_csv_ << "epoch,train_loss,train_accuracy,validation_accuracy,validation_loss,seconds,samples_per_second\n";
    if (steps_csv_.is_open()) steps_csv_ << "epoch,step,loss,lr\n";
    flush(0);
  }

  /// Whether per-step records are wanted (so fit skips computing them otherwise).
  bool wants_steps() const noexcept { return jsonl_.is_open() || steps_csv_.is_open(); }

  /// One optimizer step: `epoch` 1-based, `step` the global step count after it.
  void step(std::size_t epoch, std::size_t step, double loss, double lr) {
    if (jsonl_.is_open())
      jsonl_ << fmt::format(R"({{"kind":"step","epoch":{},"step":{},"loss":{},"lr":{}}})", epoch, step, json(loss),
                            json(lr))
             << '\n';
    if (steps_csv_.is_open()) steps_csv_ << fmt::format("{},{},{:.9g},{:.9g}\n", epoch, step, loss, lr);
  }

  /// The end of an epoch (Record: ctnn::epoch_record); `step` the global step count so far.
  /// Flushes every file and checks that everything written so far reached it.
  template <class Record>
  void epoch(const Record& r, std::size_t step) {
    if (epoch_csv_.is_open())
      epoch_csv_ << fmt::format("{},{:.6f},{:.6f},{:.6f},{:.6g},{:.4f},{:.1f}\n", r.epoch, r.train_loss,
                                r.train_accuracy, r.validation_accuracy, r.validation_loss, r.seconds,
                                r.samples_per_second);
    if (jsonl_.is_open()) {
      std::string line = fmt::format(R"({{"kind":"epoch","epoch":{},"step":{},"train_loss":{})", r.epoch, step,
                                     json(r.train_loss));
      optional_field(line, "train_accuracy", r.train_accuracy);
      optional_field(line, "val_accuracy", r.validation_accuracy);
      optional_field(line, "val_loss", r.validation_loss);
      line += fmt::format(R"(,"seconds":{},"samples_per_second":{}}})", json(r.seconds), json(r.samples_per_second));
      jsonl_ << line << '\n';
    }
    flush(r.epoch);
  }

 private:
  static void open(std::ofstream& f, const std::string& path) {
    if (path.empty()) return;
    errno = 0;
    f.open(path, std::ios::out | std::ios::trunc);
    if (!f.is_open())
      throw error(fmt::format("ctnn::fit: cannot write the metrics file '{}'{}", path,
                              errno ? fmt::format(" ({})", std::strerror(errno)) : std::string()));
  }
  /// A JSON number; null for NaN or ±inf, which JSON cannot spell (a diverged loss is caught by
  /// fit before it gets here, but a learning rate from a user's schedule might be anything).
  static std::string json(double v) { return std::isfinite(v) ? fmt::format("{:.9g}", v) : std::string("null"); }
  static void optional_field(std::string& line, const char* key, double v) {
    if (!std::isnan(v)) line += fmt::format(R"(,"{}":{})", key, json(v));
  }
  void flush(std::size_t epoch) {
    check(epoch_csv_, epoch_csv_path_, epoch);
    check(jsonl_, jsonl_path_, epoch);
    check(steps_csv_, steps_csv_path_, epoch);
  }
  static void check(std::ofstream& f, const std::string& path, std::size_t epoch) {
    if (!f.is_open()) return;
    f.flush();
    if (!f)
      throw error(epoch ? fmt::format("ctnn::fit: writing epoch {} to the metrics file '{}' failed", epoch, path)
                        : fmt::format("ctnn::fit: cannot write the metrics file '{}'", path));
  }

  std::string epoch_csv_path_, jsonl_path_, steps_csv_path_;
  std::ofstream epoch_csv_, jsonl_, steps_csv_;
};

}  // namespace ctnn::detail
