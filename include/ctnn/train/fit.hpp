#pragma once
// fit(m, loss, optimizer, data, options): minibatch training.
//  - each epoch visits the samples in a seeded random order (the same seed gives the same run);
//  - batches of options.batch, the last one smaller when n is not a multiple;
//  - a progress bar on a terminal, plain per-epoch lines otherwise; metrics also written to files
//    when their paths are set: options.metrics_csv (per epoch), options.metrics_jsonl (per step
//    and per epoch, one JSON object a line), options.metrics_steps_csv (per step); formats in
//    train/metrics_writer.hpp; each file is started afresh and flushed every epoch;
//  - a non-finite loss or gradient stops training with ctnn::error naming the step and the
//    first layer where it appeared.
// Trains in training mode (validation runs in evaluation mode). Returns one record per epoch.
// Each call is a fresh run: a new optimizer state, the shuffling order from options.seed
// (train/resume.hpp continues an interrupted run exactly).
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <numeric>
#include <string>
#include <utility>
#include <vector>
#include <fmt/format.h>
#include <ctnn/core/error.hpp>
#include <ctnn/core/model.hpp>
#include <ctnn/core/rng.hpp>
#include <ctnn/train/batch_source.hpp>
#include <ctnn/train/data_fingerprint.hpp>
#include <ctnn/train/evaluate.hpp>
#include <ctnn/train/metric.hpp>
#include <ctnn/train/metrics_writer.hpp>
#include <ctnn/train/progress.hpp>
#include <ctnn/train/resume.hpp>
#include <ctnn/train/schedule_function.hpp>
#include <ctnn/io/checkpoint.hpp>
#include <ctnn/train/trainer.hpp>

namespace ctnn {

struct epoch_record {
  std::size_t epoch = 0;           ///< 1-based
  double train_loss = 0;           ///< mean over the epoch's steps
  double train_accuracy = NAN;     ///< classification only: on the training batches as they were seen
  double validation_accuracy = NAN;///< classification, when options.validation is set
  double validation_loss = NAN;    ///< regression, when options.validation is set
  double seconds = 0;              ///< training time of the epoch (excluding validation; resumed: this run's part)
  double samples_per_second = 0;   ///< samples trained on in `seconds` over `seconds`
};

template <class Dataset>
struct fit_options {
  std::size_t epochs = 1;
  std::size_t batch = 64;
  std::uint64_t seed = 0;                 ///< shuffling order
  bool shuffle = true;
  const Dataset* validation = nullptr;    ///< evaluated (accuracy) after every epoch
  std::string metrics_csv{};              ///< per-epoch metrics (CSV) written here when not empty
  /// Per-step and per-epoch metrics as JSON lines ({"kind":"step",...} / {"kind":"epoch",...}).
  std::string metrics_jsonl{};
  std::string metrics_steps_csv{};        ///< per-step metrics (CSV: epoch,step,loss,lr)
  progress_mode progress = progress_mode::automatic;
  bool check_finite = true;               ///< scan the gradient arena every step (≈1% of a step)
  /// Learning rate for an epoch (0-based), a double(std::size_t epoch) such as a ctnn::sched::
  /// schedule; when empty, the optimizer's own lr throughout.
  schedule_function learning_rate{};
  /// Learning rate for a global step (0-based), e.g. a ctnn::sched:: schedule; overrides
  /// learning_rate when set. A sched:: schedule's base rate left unset is the optimizer's lr
  /// (train/schedule_function.hpp); reduce_on_plateau goes in as std::ref(plateau).
  schedule_function schedule{};
  std::function<void(const epoch_record&)> on_epoch{};
  /// A training checkpoint to continue from: with the same data, options and thread count the
  /// continued run is bitwise identical to one that was never interrupted. The data's size, the
  /// seed and shuffle must be the checkpoint's, and so must the batch when it was written
  /// mid-epoch (at an epoch's end the batch may change: the next epoch starts afresh).
  std::string resume_from{};
  /// Where to keep a training checkpoint (parameters, optimizer state, position, sample order),
  /// written atomically at the end of every epoch and every checkpoint_every steps when non-zero.
  std::string checkpoint{};
  std::size_t checkpoint_every = 0;
  /// Gradient accumulation: each step's batch is processed in this many micro-batches (each of
  /// about batch/micro_batches samples) whose gradients are summed, weighted by their size, before
  /// one update: the same step as one batch, with the activations of a micro-batch in memory
  /// (0 counts as 1; more than a batch has samples, one micro-batch per sample).
  std::size_t micro_batches = 1;
  /// Skip each epoch's last batch when it is partial (n mod batch samples; other ones every epoch
  /// when shuffled), as PyTorch's DataLoader(drop_last=True): for layers that cannot train on a
  /// batch of one sample (batch_norm on feature vectors), or to keep every step's batch the same.
  bool drop_last = false;
};

namespace detail {
/// The learning rate an optimizer steps with when fit is given no schedule (for the metrics):
/// its lr, or its inner optimizer's (lookahead); NaN for an optimizer without one.
template <class Opt>
double own_learning_rate(const Opt& o) {
  if constexpr (requires { o.lr; }) return static_cast<double>(o.lr);
  else if constexpr (requires { o.inner; }) return own_learning_rate(o.inner);
  else return NAN;
}
/// Whether Opt has a learning rate of its own (or its inner optimizer's).
template <class Opt>
constexpr bool has_learning_rate() {
  if constexpr (requires(const Opt& o) { o.lr; }) return true;
  else if constexpr (requires(const Opt& o) { o.inner; }) return has_learning_rate<decltype(std::declval<Opt>().inner)>();
  else return false;
}
}  // namespace detail

namespace detail {
/// fit, once its types are known to fit together (fit below checks them).
template <class Net, class S, class LossFn, class Opt, class Dataset>
std::vector<epoch_record> fit_impl(model<Net, S>& m, LossFn loss, Opt opt, const Dataset& data,
                                   const fit_options<Dataset>& options) {
  using model_type = model<Net, S>;
  using target_type = typename LossFn::template target<S>;
  constexpr bool classification = std::is_integral_v<target_type>;
  // Everything about the data is checked once, up front: shapes, label range, finite values.
  detail::check_dataset(data, model_type::in_features, model_type::out_features, classification, "ctnn::fit");
  if (options.validation) {
    detail::check_dataset(*options.validation, model_type::in_features, model_type::out_features, classification,
                          "ctnn::fit (validation set)");
    // Else the first epoch would train and then fail in evaluate.
    if (options.validation->x.shape()[0] == 0) throw error("ctnn::fit: the validation set is empty");
  }
  const std::size_t n = data.x.shape()[0];
  if (n == 0) throw error("ctnn::fit: the training set is empty");
  if (options.batch == 0) throw error("ctnn::fit: options.batch must be positive");
  // Opens (truncates) the metrics files now: a path that cannot be written fails before training.
  detail::metrics_writer metrics(options.metrics_csv, options.metrics_jsonl, options.metrics_steps_csv);

  // Parameters already NaN or infinite (an earlier run that diverged, a bad load or edit) would be
  // reported at the first step as a non-finite output of the first layer: say what it is.
  // Resuming replaces them: the checkpoint's are checked after the load instead.
  if (options.resume_from.empty())
    if (const std::string bad = m.first_nonfinite_parameter(); !bad.empty())
      throw error(fmt::format("ctnn::fit: the model's parameters are not finite before training: {} (reinitialize or "
                              "load the model)",
                              bad));
  if constexpr (detail::has_learning_rate<Opt>())
    if (!options.schedule && !options.learning_rate && !std::isfinite(static_cast<S>(detail::own_learning_rate(opt))))
      throw error(fmt::format("ctnn::fit: the optimizer's learning rate is {}", detail::own_learning_rate(opt)));
  // A schedule that takes its base rate from the optimizer would step with a non-finite one.
  if (const schedule_function& rate = options.schedule ? options.schedule : options.learning_rate;
      rate.takes_optimizer_rate() && !std::isfinite(static_cast<S>(detail::own_learning_rate(opt))))
    throw error(fmt::format("ctnn::fit: options.{} takes its base rate from the optimizer's learning rate, which is {}",
                            options.schedule ? "schedule" : "learning_rate", detail::own_learning_rate(opt)));
  trainer tr{m, loss, opt};
  constexpr bool checkpointable = io::VisitableState<typename Opt::template state<S>>;
  if constexpr (!checkpointable)
    if (!options.resume_from.empty() || !options.checkpoint.empty())
      throw error("ctnn::fit: this optimizer's state cannot be checkpointed (its state type has no visit_state; "
                  "see ctnn/io/optimizer_state.hpp)");
  if (options.checkpoint_every > 0 && options.checkpoint.empty())
    throw error("ctnn::fit: options.checkpoint_every is set but options.checkpoint names no file to write");
  // A checkpoint path that cannot be written fails now, not at the first save an epoch later: a
  // temporary is created beside it and removed (the target itself is not touched).
  if (!options.checkpoint.empty()) io::atomic_file{options.checkpoint};
  detail::batch_source<S, target_type, Dataset> source(data);
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  const std::size_t steps = n / options.batch + (!options.drop_last && n % options.batch != 0);  // (n + batch - 1) overflows
  if (steps == 0)
    throw error(fmt::format("ctnn::fit: drop_last with {} samples and batch {} leaves no batch to train on", n,
                            options.batch));
  const std::size_t epoch_samples = std::min(n, steps * options.batch);  // what an epoch trains on
  detail::progress bar(options.progress, options.epochs, steps);
  std::vector<epoch_record> history;
  std::size_t global_step = 0;
  // Recorded in checkpoints (and compared on resume) only: hashing the data costs ~1 ms per 10 MB.
  const std::uint64_t fingerprint =
      options.checkpoint.empty() && options.resume_from.empty() ? 0 : data_fingerprint(data);
  // A position after `done` steps of epoch `e` (`global` steps in all).
  auto position_at = [&](std::size_t e, std::size_t done, std::size_t global) {
    fit_position p;
    p.epoch = e;
    p.step = done;
    p.global_step = global;
    p.seed = options.seed;
    p.shuffle = options.shuffle;
    p.batch = options.batch;
    p.data_fingerprint = fingerprint;
    p.drop_last = options.drop_last;
    return p;
  };
  fit_position pos = position_at(0, 0, 0);
  if constexpr (checkpointable)
    if (!options.resume_from.empty()) {
      // The run's checks run inside the load, before it commits: a rejected checkpoint leaves the
      // model and optimizer state as they were.
      pos = load_checkpoint(tr, options.resume_from, [&](const fit_position& p) {
        if (p.order.size() != n || p.seed != options.seed || p.shuffle != options.shuffle)
          throw error(fmt::format("ctnn::fit: the checkpoint '{}' is of another run ({} samples, seed {}, shuffle {}; "
                                  "this run: {} samples, seed {}, shuffle {})",
                                  options.resume_from, p.order.size(), p.seed, p.shuffle, n, options.seed,
                                  options.shuffle));
        // Same size, other values: the order and the epoch's statistics would describe other samples.
        if (p.data_fingerprint != 0 && p.data_fingerprint != fingerprint)
          throw error(fmt::format("ctnn::fit: the checkpoint '{}' was written training on other data of the same size "
                                  "({} samples; its data fingerprint differs): resume with the data it was trained on",
                                  options.resume_from, n));
        // A checkpoint past this run's last epoch has nothing left to train and more than was asked
        // for (one exactly at the end resumes to an empty history: the run is complete).
        if (p.epoch > options.epochs || (p.epoch == options.epochs && p.step > 0))
          throw error(fmt::format("ctnn::fit: the checkpoint '{}' is {} epoch {}, beyond this run's epochs = {}: "
                                  "set epochs above {} to train further",
                                  options.resume_from, p.step > 0 ? "inside" : "after", p.step > 0 ? p.epoch + 1 : p.epoch,
                                  options.epochs, p.epoch));
        // Mid-epoch, dropping the last batch or not changes where the epoch ends.
        if (p.step > 0 && p.drop_last != options.drop_last)
          throw error(fmt::format("ctnn::fit: the checkpoint '{}' stopped mid-epoch in a run with drop_last = {}; this "
                                  "run has drop_last = {}: resume mid-epoch with the checkpoint's setting",
                                  options.resume_from, p.drop_last, options.drop_last));
        // Mid-epoch, the position counts steps of the checkpoint's batch: another batch would skip
        // samples or train some twice.
        if (p.step > 0 && (p.step >= steps || (p.batch != 0 && p.batch != options.batch)))
          throw error(fmt::format("ctnn::fit: the checkpoint '{}' stopped mid-epoch after step {} of batch {}; this "
                                  "run's batch is {} ({} steps an epoch): resume mid-epoch with the checkpoint's batch",
                                  options.resume_from, p.step,
                                  p.batch != 0 ? std::to_string(p.batch) : std::string("(not recorded)"),
                                  options.batch, steps));
      });
      order.assign(pos.order.begin(), pos.order.end());
      global_step = pos.global_step;
      if (const std::string bad = m.first_nonfinite_parameter(); !bad.empty())
        throw error(fmt::format("ctnn::fit: the parameters loaded from the checkpoint '{}' are not finite: {}",
                                options.resume_from, bad));
    }
  auto save = [&](fit_position p) {
    if constexpr (checkpointable) {
      p.order.assign(order.begin(), order.end());
      save_checkpoint(tr, p, options.checkpoint);
    }
  };

  m.train();  // after every check: a rejected run leaves the model's mode as it was too
  // The schedules with their base rates left to the optimizer set to the optimizer's lr (bound
  // after the checks too: a std::ref'd schedule is the caller's object).
  const double own_lr = detail::own_learning_rate(opt);
  const schedule_function::rate_function schedule = options.schedule ? options.schedule.bind(own_lr) : nullptr;
  const schedule_function::rate_function epoch_rate =
      options.learning_rate ? options.learning_rate.bind(own_lr) : nullptr;
  for (std::size_t epoch = pos.epoch; epoch < options.epochs; ++epoch) {
    // Resuming mid-epoch: `order` already holds this epoch's shuffle.
    const bool mid_epoch = epoch == pos.epoch && pos.step > 0;
    if (options.shuffle && !mid_epoch) shuffle_for_epoch(order, options.seed, epoch);
    const std::size_t first_step = mid_epoch ? pos.step : 0;
    // Resumed mid-epoch, the rate counts the samples this run trains on, not the epoch's skipped
    // ones (which made a resumed epoch read 1.1M samples/s instead of 75K).
    const std::size_t first_sample = first_step * options.batch;
    bar.start_epoch(epoch, first_step);
    const auto t0 = std::chrono::steady_clock::now();
    double loss_sum = mid_epoch ? pos.loss_sum : 0.0;
    metric::accuracy train_acc;
    if (mid_epoch) train_acc = {static_cast<std::size_t>(pos.correct), static_cast<std::size_t>(pos.total)};
    for (std::size_t s = mid_epoch ? pos.step : 0; s < steps; ++s, ++global_step) {
      const std::size_t lo = s * options.batch, b = std::min(options.batch, n - lo);
      source.gather(order.data() + lo, b);
      S l = 0;
      if (options.micro_batches <= 1 && b == 1 && options.batch > 1) {
        // A batch of one sample, the epoch's last: a layer that cannot train on it (batch_norm) says
        // so in terms of the layer; this says where the batch comes from and what avoids it.
        try {
          l = tr.forward_backward(source.x(), source.targets(), b);
        } catch (const error& e) {
          throw error(fmt::format("{} [in fit: the last batch of each epoch has 1 sample ({} samples, batch {}); "
                                  "fit_options::drop_last = true skips it, or choose another batch size]",
                                  e.what(), n, options.batch));
        }
      } else if (options.micro_batches <= 1) {
        l = tr.forward_backward(source.x(), source.targets(), b);
      } else {
        const std::size_t parts = std::min(options.micro_batches, b);
        const S* xs = source.x();
        const auto* ts = source.targets();
        for (std::size_t k = 0, done = 0; k < parts; ++k) {
          const std::size_t mb = b * (k + 1) / parts - done;
          const S w = static_cast<S>(mb) / static_cast<S>(b);
          l += w * tr.forward_backward(xs + done * model_type::in_features, ts + done * source.target_width(), mb,
                                       /*accumulate=*/k > 0, w);
          if constexpr (classification) train_acc.add(m.output(), ts + done, mb, model_type::out_features);
          done += mb;
        }
      }
      if (!std::isfinite(l)) {
        const std::string where = m.first_nonfinite_output();
        // Steps are counted from 1 here, as in the metrics files (which count them after the update).
        throw error(fmt::format("ctnn::fit: the loss is {} at step {} (epoch {}, batch {} of {}); {}", l,
                                global_step + 1, epoch + 1, s + 1, steps,
                                where.empty() ? "every layer's output is finite, so the loss itself overflowed"
                                              : "first non-finite output: " + where));
      }
      if (options.check_finite) {
        const auto g = m.gradients();
        bool finite = true;
        for (const S v : g) finite &= std::isfinite(v);  // branch-free so it vectorizes
        if (!finite)
          throw error(fmt::format("ctnn::fit: a gradient is not finite at step {} (epoch {}); nearest the output: {}",
                                  global_step + 1, epoch + 1, m.first_nonfinite_gradient()));
      }
      if constexpr (classification)
        if (options.micro_batches <= 1) train_acc.add(m.output(), source.targets(), b, model_type::out_features);
      // The rate this step uses, for the metrics: a schedule's value as the model's scalar, which
      // is what the update gets. Each callback is called once per step.
      double lr = 0;
      // A NaN or infinite rate would make every parameter non-finite, and the next step's error
      // would blame the first layer: it is named here, before the update.
      auto checked_rate = [&](double rate, const char* from) {
        if (!std::isfinite(static_cast<S>(rate)))
          throw error(fmt::format("ctnn::fit: the learning rate for step {} (epoch {}) is {} (from options.{}); the "
                                  "parameters were not updated",
                                  global_step + 1, epoch + 1, static_cast<S>(rate), from));
        return static_cast<double>(static_cast<S>(rate));
      };
      if (schedule) {
        lr = checked_rate(schedule(global_step), "schedule");
        tr.apply_update(static_cast<S>(lr));
      } else if (epoch_rate) {
        lr = checked_rate(epoch_rate(epoch), "learning_rate");
        tr.apply_update(static_cast<S>(lr));
      } else {
        lr = detail::own_learning_rate(opt);
        tr.apply_update();
      }
      loss_sum += static_cast<double>(l);
      if (metrics.wants_steps()) metrics.step(epoch + 1, global_step + 1, static_cast<double>(l), lr);
      bar.step(s, loss_sum / static_cast<double>(s + 1), lo + b - first_sample);
      if (!options.checkpoint.empty() && options.checkpoint_every && (global_step + 1) % options.checkpoint_every == 0 &&
          s + 1 < steps)  // the end of the epoch is saved below
      {
        fit_position p = position_at(epoch, s + 1, global_step + 1);
        p.loss_sum = loss_sum;
        p.correct = train_acc.correct;
        p.total = train_acc.total;
        save(p);
      }
    }
    if (!options.checkpoint.empty())
      save(position_at(epoch + 1, 0, global_step));
    epoch_record r;
    r.epoch = epoch + 1;
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    r.train_loss = loss_sum / static_cast<double>(steps);
    r.samples_per_second = static_cast<double>(epoch_samples - first_sample) / r.seconds;
    if constexpr (classification) r.train_accuracy = train_acc.result();
    if (options.validation) {
      if constexpr (classification) r.validation_accuracy = evaluate(m, *options.validation, metric::accuracy{});
      else r.validation_loss = evaluate(m, *options.validation, metric::mean_loss<LossFn>{});
    }
    std::string summary = fmt::format("epoch {:>3}/{}  loss {:.4f}", r.epoch, options.epochs, r.train_loss);
    if constexpr (classification) summary += fmt::format("  train acc {:.4f}", r.train_accuracy);
    if (options.validation)
      summary += classification ? fmt::format("  val acc {:.4f}", r.validation_accuracy)
                                : fmt::format("  val loss {:.4g}", r.validation_loss);
    summary += fmt::format("  {:.0f} samples/s  {:.2f}s", r.samples_per_second, r.seconds);
    bar.end_epoch(summary);
    metrics.epoch(r, global_step);
    if (options.on_epoch) options.on_epoch(r);
    history.push_back(r);
  }
  m.detach_input();  // the gathered batches are local
  return history;
}
}  // namespace detail

/// Trains m on data (see the file comment). The optimizer, the loss, the dataset's targets and the
/// network's outputs are checked at compile time, each mismatch one error that says so.
template <class Net, class S, class LossFn, class Opt, class Dataset>
std::vector<epoch_record> fit(model<Net, S>& m, LossFn loss, Opt opt, const Dataset& data,
                              const fit_options<std::type_identity_t<Dataset>>& options = {}) {
  constexpr bool fits = expect_optimizer<Opt, S>::value &&
                        ctnn::loss::targets_fit<LossFn, typename std::decay_t<decltype(data.y)>::value_type> &&
                        ctnn::loss::outputs_fit<LossFn, model<Net, S>::out_features>();
  if constexpr (fits) return detail::fit_impl(m, loss, opt, data, options);
  else return {};
}

}  // namespace ctnn
