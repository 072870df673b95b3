// A process SIGKILLed in the middle of ctnn::save leaves the previous file intact and loadable.
#include <catch2/catch.hpp>
#include <algorithm>
#include <csignal>
#include <ctnn/ctnn.hpp>
#include <ctnn/io/safetensors.hpp>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "io/io_support.hpp"

namespace {
// 1024·1024 + 1024·256 + ... ≈ 1.3 M parameters: a 5 MB file, several milliseconds per save.
using big_net = ctnn::sequential<ctnn::input<1024>, ctnn::dense<1024>, ctnn::relu, ctnn::dense<256>, ctnn::dense<10>>;
using big_model = ctnn::model<big_net>;

void fill(big_model& m, float v) {
  for (const auto& s : big_model::slots) std::fill_n(m.parameters().data() + s.offset, s.size(), v);
}
}  // namespace

TEST_CASE("SIGKILL during save leaves the previous checkpoint intact", "[io][atomic]") {
  ctnn_test::scratch_dir dir("kill");
  const auto path = dir / "big.safetensors";
  big_model m{ctnn::seed{1}};
  fill(m, 0.0f);
  ctnn::save(m, path);

  ctnn::rng g(2024);
  int killed_mid_write = 0, generations_seen = 0;
  float last = 0.0f;
  for (int round = 1; round <= 25; ++round) {
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
      try {  // save forever, every generation a different value
        for (int k = 0;; ++k) {
          fill(m, static_cast<float>(round * 1000 + k));
          ctnn::save(m, path);
        }
      } catch (...) {
      }
      std::_Exit(1);
    }
    const long delay_us = 2000 + static_cast<long>(g.below(150000));  // a save takes ~7 ms here
    const timespec ts{0, delay_us * 1000};
    ::nanosleep(&ts, nullptr);
    ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);
    REQUIRE(WIFSIGNALED(status));
    REQUIRE(WTERMSIG(status) == SIGKILL);

    // The target is always one complete generation.
    big_model r{ctnn::seed{3}};
    REQUIRE_NOTHROW(ctnn::load(r, path));
    const float v = r.parameters()[0];
    bool uniform = true;
    for (const auto& s : big_model::slots)
      uniform &= std::all_of(r.parameters().data() + s.offset, r.parameters().data() + s.offset + s.size(),
                             [&](float x) { return x == v; });
    INFO("round " << round << ": value " << v);
    CHECK(uniform);
    generations_seen += v != last;
    last = v;
    // a stray temporary means the kill landed inside a write; remove it as a cleanup job would
    for (const auto& e : std::filesystem::directory_iterator(dir.path))
      if (e.path().filename().string().find(".tmp.") != std::string::npos) {
        ++killed_mid_write;
        std::filesystem::remove(e.path());
      }
  }
  INFO("kills inside a write: " << killed_mid_write << ", new generations seen: " << generations_seen);
  CHECK(killed_mid_write > 0);  // otherwise the test proved nothing
  CHECK(generations_seen > 0);
}
