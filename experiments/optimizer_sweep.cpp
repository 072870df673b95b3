// Optimizer and schedule sweep on Fashion-MNIST: the 784-256-256-10 ReLU MLP (batch 128) trained
//  (1) with every optimizer in ctnn::optim::all at its published / PyTorch default
//      hyperparameters, the learning rate swept over {1/3, 1, 3} × the default;
//  (2) with SGD + momentum 0.9 (lr 0.05) under every schedule in ctnn::sched::all (reduce_on_plateau
//      observes the test error after each epoch).
// Every run starts from the same initial weights (seed 42) and the same shuffling (seed 1).
//
//   optimizer_sweep [out_dir] [--epochs E] [--threads T] [--only-schedules] [--only-optimizers]
//
// Writes, in out_dir (default "."):
//   optimizer_sweep.csv   one row per (group, name, lr, epoch): group = optimizer | schedule,
//                         train loss (mean over the epoch), train and test accuracy, seconds
//   optimizer_best.csv    per optimizer the lr with the best final test accuracy (and its curve
//                         rows go to optimizer_best_curves.csv, for the plot)
//   schedule_curves.csv   the schedule runs (for the plot)
// Data: the Debian package dataset-fashion-mnist (or $CTNN_FASHION_MNIST_DIR).
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <string>
#include <tuple>
#include <vector>
#include <fmt/format.h>
#include <ctnn/ctnn.hpp>
#include <ctnn/optim/all.hpp>
#include <ctnn/sched/all.hpp>

using net = ctnn::sequential<ctnn::input<784>,
                             ctnn::dense<256>, ctnn::relu,
                             ctnn::dense<256>, ctnn::relu,
                             ctnn::dense<10, ctnn::init::xavier_uniform<>>>;
using dataset = ctnn::data::labeled_dataset;

namespace o = ctnn::optim;
namespace s = ctnn::sched;

// ---- names of the grid's types ----
template <class T> constexpr const char* name_of = "?";
template <> constexpr const char* name_of<o::sgd> = "sgd";
template <> constexpr const char* name_of<o::adagrad> = "adagrad";
template <> constexpr const char* name_of<o::adagrad_norm> = "adagrad_norm";
template <> constexpr const char* name_of<o::rmsprop> = "rmsprop";
template <> constexpr const char* name_of<o::adadelta> = "adadelta";
template <> constexpr const char* name_of<o::adam> = "adam";
template <> constexpr const char* name_of<o::adamw> = "adamw";
template <> constexpr const char* name_of<o::amsgrad> = "amsgrad";
template <> constexpr const char* name_of<o::nadam> = "nadam";
template <> constexpr const char* name_of<o::radam> = "radam";
template <> constexpr const char* name_of<o::adabound> = "adabound";
template <> constexpr const char* name_of<o::amsbound> = "amsbound";
template <> constexpr const char* name_of<o::yogi> = "yogi";
template <> constexpr const char* name_of<o::lion> = "lion";
template <> constexpr const char* name_of<o::signum> = "signum";
template <> constexpr const char* name_of<o::signsgd> = "signsgd";
template <> constexpr const char* name_of<o::lars> = "lars";
template <> constexpr const char* name_of<o::lamb> = "lamb";
template <> constexpr const char* name_of<o::lookahead<o::adam>> = "lookahead_adam";
template <> constexpr const char* name_of<s::constant> = "constant";
template <> constexpr const char* name_of<s::step> = "step";
template <> constexpr const char* name_of<s::multistep> = "multistep";
template <> constexpr const char* name_of<s::exponential> = "exponential";
template <> constexpr const char* name_of<s::cosine> = "cosine";
template <> constexpr const char* name_of<s::sgdr> = "sgdr";
template <> constexpr const char* name_of<s::warmup<s::cosine>> = "warmup_cosine";
template <> constexpr const char* name_of<s::cyclical> = "cyclical";
template <> constexpr const char* name_of<s::one_cycle> = "one_cycle";
template <> constexpr const char* name_of<s::inverse_sqrt> = "inverse_sqrt";
template <> constexpr const char* name_of<s::reduce_on_plateau> = "reduce_on_plateau";

// ---- the learning rate of an optimizer (lookahead keeps it on its inner optimizer) ----
template <class O> float& lr_of(O& opt) {
  if constexpr (requires { opt.lr; }) return opt.lr;
  else return opt.inner.lr;
}

// ---- the schedules, for T total steps of which spe per epoch, around a base rate lr ----
template <class S> S make_schedule(double lr, std::size_t T, std::size_t spe) {
  if constexpr (std::is_same_v<S, s::constant>) return {.lr = lr};
  else if constexpr (std::is_same_v<S, s::step>) return {.lr = lr, .step_size = spe, .gamma = 0.5};
  else if constexpr (std::is_same_v<S, s::multistep>) return {.lr = lr, .milestones = {T / 2, 3 * T / 4}, .gamma = 0.1};
  else if constexpr (std::is_same_v<S, s::exponential>) return {.lr = lr, .gamma = std::pow(0.01, 1.0 / double(T))};
  else if constexpr (std::is_same_v<S, s::cosine>) return {.lr = lr, .total = T};
  else if constexpr (std::is_same_v<S, s::sgdr>) return {.lr = lr, .t0 = spe, .t_mult = 2};
  else if constexpr (std::is_same_v<S, s::warmup<s::cosine>>) return {.steps = spe / 2, .inner = {.lr = lr, .total = T - spe / 2}};
  else if constexpr (std::is_same_v<S, s::cyclical>) return {.min_lr = lr / 10, .max_lr = lr, .step_size = spe / 2};
  else if constexpr (std::is_same_v<S, s::one_cycle>) return {.max_lr = 2 * lr, .total = T};
  else if constexpr (std::is_same_v<S, s::inverse_sqrt>) return {.lr = lr, .warmup = spe / 2};
  else if constexpr (std::is_same_v<S, s::reduce_on_plateau>) return {.lr = lr, .factor = 0.5, .patience = 0};
  else static_assert(sizeof(S) == 0, "no setting for this schedule");
}
// the settings as text, for the doc
template <class S> std::string describe_schedule(double lr) {
  if constexpr (std::is_same_v<S, s::constant>) return fmt::format("lr {}", lr);
  else if constexpr (std::is_same_v<S, s::step>) return "×0.5 every epoch";
  else if constexpr (std::is_same_v<S, s::multistep>) return "×0.1 at T/2 and 3T/4";
  else if constexpr (std::is_same_v<S, s::exponential>) return "γ^T = 0.01";
  else if constexpr (std::is_same_v<S, s::cosine>) return "to 0 over T";
  else if constexpr (std::is_same_v<S, s::sgdr>) return "T0 = 1 epoch; Tmult 2";
  else if constexpr (std::is_same_v<S, s::warmup<s::cosine>>) return "½ epoch linear warmup; then cosine";
  else if constexpr (std::is_same_v<S, s::cyclical>) return "triangular lr/10..lr; half-cycle ½ epoch";
  else if constexpr (std::is_same_v<S, s::one_cycle>) return "max 2·lr; 30% up";
  else if constexpr (std::is_same_v<S, s::inverse_sqrt>) return "½ epoch warmup";
  else return "×0.5 when the test error stalls (patience 0)";
}

struct run_result {
  std::string group, name, setting;
  double lr;
  std::vector<ctnn::epoch_record> epochs;
};

struct sweep {
  const dataset& train;
  const dataset& test;
  std::size_t epochs;
  std::vector<run_result> results;

  template <class Opt>
  void run(const std::string& group, const std::string& name, const std::string& setting, Opt opt, double lr,
           std::function<double(std::size_t)> schedule = {},
           std::function<void(const ctnn::epoch_record&)> on_epoch = {}) {
    ctnn::model<net> m{ctnn::seed{42}};
    ctnn::fit_options<dataset> options{.epochs = epochs,
                                       .batch = 128,
                                       .seed = 1,
                                       .shuffle = true,
                                       .validation = &test,
                                       .metrics_csv = {},
                                       .progress = ctnn::progress_mode::quiet,
                                       .check_finite = true,
                                       .learning_rate = {},
                                       .schedule = std::move(schedule),
                                       .on_epoch = std::move(on_epoch)};
    run_result r{group, name, setting, lr, {}};
    try {
      r.epochs = ctnn::fit(m, ctnn::loss::softmax_cross_entropy{}, opt, train, options);
    } catch (const ctnn::error& e) {  // diverged: recorded as no epochs
      fmt::print("  {} {} lr {}: {}\n", group, name, lr, e.what());
    }
    const double acc = r.epochs.empty() ? NAN : r.epochs.back().validation_accuracy;
    const double loss = r.epochs.empty() ? NAN : r.epochs.back().train_loss;
    fmt::print("{:<9} {:<18} lr {:<9.3g} test acc {:.4f}  train loss {:.4f}\n", group, name, lr, acc, loss);
    std::fflush(stdout);
    results.push_back(std::move(r));
  }
};

int main(int argc, char** argv) try {
  std::string out = ".";
  std::size_t epochs = 5;
  int threads = 1;
  bool do_opt = true, do_sched = true;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--epochs" && i + 1 < argc) epochs = std::stoul(argv[++i]);
    else if (a == "--threads" && i + 1 < argc) threads = std::stoi(argv[++i]);
    else if (a == "--only-schedules") do_opt = false;
    else if (a == "--only-optimizers") do_sched = false;
    else out = a;
  }
  ctnn::set_num_threads(threads);
  const auto t0 = std::chrono::steady_clock::now();
  const auto train = ctnn::data::fashion_mnist::train();
  const auto test = ctnn::data::fashion_mnist::test();
  fmt::print("Fashion-MNIST {} / {}; {} epochs, batch 128, {} threads, SIMD {}\n", train.size(), test.size(), epochs,
             ctnn::num_threads(), ctnn::simd_isa());
  sweep sw{train, test, epochs, {}};
  const std::size_t spe = (train.size() + 127) / 128, T = spe * epochs;

  // (1) every optimizer, lr ∈ {1/3, 1, 3} × its default
  if (do_opt)
    ctnn::for_each_type<o::all>([&]<class Opt>() {
      for (const double f : {1.0 / 3.0, 1.0, 3.0}) {
        Opt opt{};
        const double lr = lr_of(opt) * f;
        lr_of(opt) = static_cast<float>(lr);
        sw.run("optimizer", name_of<Opt>, f == 1.0 ? "default" : "", opt, lr);
      }
    });

  // (2) sgd + momentum under every schedule
  if (do_sched) {
    const double lr = 0.05;
    const o::sgd sgdm{.lr = float(lr), .momentum = 0.9f};
    ctnn::for_each_type<s::all>([&]<class Sch>() {
      auto sch = make_schedule<Sch>(lr, T, spe);
      if constexpr (std::is_same_v<Sch, s::reduce_on_plateau>)
        sw.run("schedule", name_of<Sch>, describe_schedule<Sch>(lr), sgdm, lr,
               [&sch](std::size_t t) { return sch(t); },
               [&sch](const ctnn::epoch_record& r) { sch.observe(1 - r.validation_accuracy); });
      else
        sw.run("schedule", name_of<Sch>, describe_schedule<Sch>(lr), sgdm, lr, [sch](std::size_t t) { return sch(t); });
    });
  }

  // ---- CSV ----
  std::ofstream all(out + "/optimizer_sweep.csv");
  all << "group,name,lr,epoch,train_loss,train_accuracy,test_accuracy,seconds\n";
  for (const auto& r : sw.results)
    for (const auto& e : r.epochs)
      all << fmt::format("{},{},{:.6g},{},{:.6f},{:.6f},{:.6f},{:.3f}\n", r.group, r.name, r.lr, e.epoch,
                         e.train_loss, e.train_accuracy, e.validation_accuracy, e.seconds);
  // best lr per optimizer (by best test accuracy over the epochs), and the curves to plot
  std::map<std::string, const run_result*> best;
  std::vector<std::string> order;
  auto peak = [](const run_result& r) {
    double a = -1;
    for (const auto& e : r.epochs) a = std::max(a, e.validation_accuracy);
    return a;
  };
  for (const auto& r : sw.results) {
    const std::string key = r.group + "," + r.name;
    if (!best.count(key)) order.push_back(key), best[key] = &r;
    else if (peak(r) > peak(*best[key])) best[key] = &r;
  }
  std::ofstream summary(out + "/optimizer_summary.csv");
  summary << "group,name,lr,setting,best_test_accuracy,best_epoch,final_test_accuracy,final_train_loss\n";
  std::ofstream curves(out + "/optimizer_best_curves.csv");
  curves << "# group name lr epoch train_loss test_accuracy (one block per run, for gnuplot)\n";
  for (const auto& key : order) {
    const run_result& r = *best[key];
    std::size_t be = 0;
    for (const auto& e : r.epochs)
      if (be == 0 || e.validation_accuracy > r.epochs[be - 1].validation_accuracy) be = e.epoch;
    const bool ok = !r.epochs.empty();
    summary << fmt::format("{},{},{:.4g},{},{:.4f},{},{:.4f},{:.4f}\n", r.group, r.name, r.lr, r.setting,
                           ok ? peak(r) : NAN, be, ok ? r.epochs.back().validation_accuracy : NAN,
                           ok ? r.epochs.back().train_loss : NAN);
    curves << fmt::format("\n\n# {} {}\n", r.group, r.name);
    for (const auto& e : r.epochs)
      curves << fmt::format("{} {} {:.4g} {} {:.6f} {:.6f}\n", r.group, r.name, r.lr, e.epoch, e.train_loss,
                            e.validation_accuracy);
  }
  const double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  fmt::print("wrote {}/optimizer_sweep.csv, optimizer_summary.csv, optimizer_best_curves.csv ({:.0f} s)\n", out, sec);
  return 0;
} catch (const std::exception& e) {
  fmt::print(stderr, "optimizer_sweep: {}\n", e.what());
  return 1;
}
