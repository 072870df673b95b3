// fit's metrics files: per-step and per-epoch JSON lines, per-step CSV, per-epoch CSV. Every line
// is parsed back (nlohmann::json for the JSONL); counts, the strictly increasing global step, the
// learning rate each step used and the epoch summaries are checked against what fit returned.
// Paths that cannot be written are errors naming the file, raised before any training.
#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>
#include <nlohmann/json.hpp>
#include <ctnn/ctnn.hpp>

namespace {

using tiny_net = ctnn::sequential<ctnn::input<2>, ctnn::dense<8>, ctnn::tanh, ctnn::dense<2>>;

// 100 samples: batch 16 gives 7 steps per epoch, the last one of 4.
ctnn::data::labeled_dataset blobs(std::uint64_t seed) {
  constexpr std::size_t n = 100;
  ctnn::rng g(seed);
  xt::xtensor<float, 2> x = xt::zeros<float>({n, std::size_t{2}});
  xt::xtensor<std::int32_t, 1> y = xt::zeros<std::int32_t>({n});
  for (std::size_t i = 0; i < n; ++i) {
    const int c = static_cast<int>(i % 2);
    x(i, 0) = static_cast<float>((c ? 0.5 : -0.5) + 0.4 * g.normal());
    x(i, 1) = static_cast<float>((c ? -0.3 : 0.3) + 0.4 * g.normal());
    y(i) = c;
  }
  return ctnn::data::make_labeled(std::move(x), std::move(y), 2);
}

std::vector<std::string> lines_of(const std::string& path) {
  std::ifstream f(path);
  std::vector<std::string> out;
  for (std::string line; std::getline(f, line);) out.push_back(line);
  return out;
}

std::vector<std::string> split_csv(const std::string& line) {
  std::vector<std::string> out;
  std::stringstream ss(line);
  for (std::string cell; std::getline(ss, cell, ',');) out.push_back(cell);
  return out;
}

// Values go through "{:.9g}": equal to 9 significant digits, which is what the format keeps.
Approx printed(double v) { return Approx(v).epsilon(1e-8); }

}  // namespace

TEST_CASE("fit writes per-step and per-epoch metrics as JSON lines and CSV", "[train][metrics]") {
  ctnn::set_num_threads(1);
  const auto train = blobs(1), val = blobs(2);
  const std::string jsonl = "metrics_test.jsonl", steps_csv = "metrics_test_steps.csv", epoch_csv = "metrics_test.csv";
  auto schedule = [](std::size_t step) { return 0.1 / (1.0 + 0.1 * static_cast<double>(step)); };
  ctnn::model<tiny_net> m{ctnn::seed{1}};
  const auto history = ctnn::fit(m, ctnn::loss::softmax_cross_entropy{}, ctnn::optim::sgd{.momentum = 0.9f}, train,
                                 {.epochs = 3, .batch = 16, .validation = &val, .metrics_csv = epoch_csv,
                                  .metrics_jsonl = jsonl, .metrics_steps_csv = steps_csv,
                                  .progress = ctnn::progress_mode::quiet, .schedule = schedule});
  REQUIRE(history.size() == 3);
  constexpr std::size_t steps_per_epoch = 7;

  SECTION("JSON lines: 7 step lines then an epoch line, three times") {
    const auto lines = lines_of(jsonl);
    REQUIRE(lines.size() == 3 * (steps_per_epoch + 1));
    std::size_t last_step = 0, epochs_seen = 0;
    double epoch_loss_sum = 0;
    for (const auto& line : lines) {
      INFO(line);
      const auto j = nlohmann::json::parse(line);  // throws (fails the test) on malformed JSON
      const std::string kind = j.at("kind");
      if (kind == "step") {
        const std::size_t step = j.at("step");
        CHECK(step == last_step + 1);  // strictly increasing, 1-based, across epochs
        last_step = step;
        CHECK(j.at("epoch") == epochs_seen + 1);
        // the rate of global step index step-1, as the float the update got
        CHECK(j.at("lr").get<double>() == printed(static_cast<float>(schedule(step - 1))));
        epoch_loss_sum += j.at("loss").get<double>();
        CHECK(j.size() == 5);
      } else {
        REQUIRE(kind == "epoch");
        const auto& r = history.at(epochs_seen++);
        CHECK(j.at("epoch") == r.epoch);
        CHECK(j.at("step") == epochs_seen * steps_per_epoch);
        CHECK(j.at("train_loss").get<double>() == printed(r.train_loss));
        // the epoch's train loss is the mean of its step losses
        CHECK(epoch_loss_sum / steps_per_epoch == printed(r.train_loss));
        epoch_loss_sum = 0;
        CHECK(j.at("train_accuracy").get<double>() == printed(r.train_accuracy));
        CHECK(j.at("val_accuracy").get<double>() == printed(r.validation_accuracy));
        CHECK_FALSE(j.contains("val_loss"));  // classification: no validation loss is computed
        CHECK(j.at("seconds").get<double>() > 0);
        CHECK(j.at("samples_per_second").get<double>() > 0);
      }
    }
    CHECK(epochs_seen == 3);
    CHECK(last_step == 3 * steps_per_epoch);
  }

  SECTION("per-step CSV: a header and one row per step") {
    const auto lines = lines_of(steps_csv);
    REQUIRE(lines.size() == 1 + 3 * steps_per_epoch);
    CHECK(lines[0] == "epoch,step,loss,lr");
    for (std::size_t i = 1; i < lines.size(); ++i) {
      const auto cells = split_csv(lines[i]);
      REQUIRE(cells.size() == 4);
      CHECK(std::stoul(cells[0]) == (i - 1) / steps_per_epoch + 1);
      CHECK(std::stoul(cells[1]) == i);
      CHECK(std::stod(cells[3]) == printed(static_cast<float>(schedule(i - 1))));  // the float the update got
    }
  }

  SECTION("per-epoch CSV as before") {
    const auto lines = lines_of(epoch_csv);
    REQUIRE(lines.size() == 4);
    CHECK(lines[0] == "epoch,train_loss,train_accuracy,validation_accuracy,validation_loss,seconds,samples_per_second");
    CHECK(split_csv(lines[3])[0] == "3");
  }
  std::remove(jsonl.c_str());
  std::remove(steps_csv.c_str());
  std::remove(epoch_csv.c_str());
}

TEST_CASE("without a schedule the step lines carry the optimizer's own rate (lookahead: its inner one)", "[train][metrics]") {
  const auto train = blobs(3);
  const std::string jsonl = "metrics_test_lr.jsonl";
  ctnn::model<tiny_net> m{ctnn::seed{1}};
  ctnn::fit(m, ctnn::loss::softmax_cross_entropy{}, ctnn::optim::lookahead<ctnn::optim::adam>{.inner = {.lr = 0.25f}},
            train, {.epochs = 1, .batch = 50, .metrics_jsonl = jsonl, .progress = ctnn::progress_mode::quiet});
  const auto lines = lines_of(jsonl);
  REQUIRE(lines.size() == 3);  // two steps, one epoch
  CHECK(nlohmann::json::parse(lines[0]).at("lr").get<double>() == 0.25);
  CHECK(nlohmann::json::parse(lines[2]).at("kind") == "epoch");
  CHECK_FALSE(nlohmann::json::parse(lines[2]).contains("val_accuracy"));  // no validation set
  std::remove(jsonl.c_str());
}

TEST_CASE("metrics paths that cannot be written are errors naming the file, before training", "[train][metrics]") {
  const auto train = blobs(4);
  const auto quiet = ctnn::progress_mode::quiet;
  ctnn::model<tiny_net> m{ctnn::seed{1}};
  const std::vector<float> before(m.parameters().begin(), m.parameters().end());
  using Catch::Contains;
  CHECK_THROWS_WITH(ctnn::fit(m, ctnn::loss::softmax_cross_entropy{}, ctnn::optim::sgd{}, train,
                              {.metrics_jsonl = "/nonexistent-dir/m.jsonl", .progress = quiet}),
                    Contains("cannot write the metrics file '/nonexistent-dir/m.jsonl'") &&
                        Contains("No such file or directory"));
  CHECK_THROWS_WITH(ctnn::fit(m, ctnn::loss::softmax_cross_entropy{}, ctnn::optim::sgd{}, train,
                              {.metrics_steps_csv = "/nonexistent-dir/s.csv", .progress = quiet}),
                    Contains("cannot write the metrics file '/nonexistent-dir/s.csv'"));
  // /dev/full opens but every write fails: caught when the headers are flushed.
  CHECK_THROWS_WITH(ctnn::fit(m, ctnn::loss::softmax_cross_entropy{}, ctnn::optim::sgd{}, train,
                              {.metrics_steps_csv = "/dev/full", .progress = quiet}),
                    Contains("cannot write the metrics file '/dev/full'"));
  CHECK(std::equal(before.begin(), before.end(), m.parameters().begin()));  // nothing trained
}

TEST_CASE("metrics of a regression: val_loss, no accuracy", "[train][metrics]") {
  struct regression { xt::xtensor<float, 2> x, y; } data{xt::zeros<float>({64, 1}), xt::zeros<float>({64, 1})};
  for (std::size_t i = 0; i < 64; ++i) {
    data.x(i, 0) = static_cast<float>(i) / 64.0f;
    data.y(i, 0) = 2 * data.x(i, 0);
  }
  using reg_net = ctnn::sequential<ctnn::input<1>, ctnn::dense<1>>;
  ctnn::model<reg_net> m{ctnn::seed{2}};
  const std::string jsonl = "metrics_test_reg.jsonl";
  ctnn::fit(m, ctnn::loss::mse{}, ctnn::optim::sgd{.lr = 0.1f}, data,
            {.epochs = 2, .batch = 32, .validation = &data, .metrics_jsonl = jsonl,
             .progress = ctnn::progress_mode::quiet});
  const auto lines = lines_of(jsonl);
  REQUIRE(lines.size() == 6);
  const auto j = nlohmann::json::parse(lines[5]);
  CHECK(j.at("kind") == "epoch");
  CHECK(j.contains("val_loss"));
  CHECK_FALSE(j.contains("train_accuracy"));
  CHECK_FALSE(j.contains("val_accuracy"));
  std::remove(jsonl.c_str());
}
