// fit's progress bar (train/progress.hpp) with stderr captured: every redraw fits the terminal's
// width (a longer line wraps and "\r" returns only to its last row: on an 80-column terminal each
// redraw left a new line), an error leaves the bar's line ended, and a resumed epoch's rate counts
// only the steps it runs.
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>
#include <unistd.h>
#include <ctnn/train/progress.hpp>

namespace {
/// Runs f with stderr redirected to a temporary file; returns what it wrote.
template <class F>
std::string captured_stderr(F&& f) {
  std::fflush(stderr);
  std::FILE* tmp = std::tmpfile();
  REQUIRE(tmp != nullptr);
  const int saved = ::dup(::fileno(stderr));
  ::dup2(::fileno(tmp), ::fileno(stderr));
  f();
  std::fflush(stderr);
  ::dup2(saved, ::fileno(stderr));
  ::close(saved);
  std::string out;
  std::rewind(tmp);
  for (int c; (c = std::fgetc(tmp)) != EOF;) out += static_cast<char>(c);
  std::fclose(tmp);
  return out;
}

/// The visible text of each redraw ("\r" ... "\x1b[K").
std::vector<std::string> redraws(const std::string& s) {
  std::vector<std::string> out;
  for (std::size_t i = s.find('\r'); i != std::string::npos; i = s.find('\r', i + 1)) {
    const std::size_t e = s.find("\x1b[K", i);
    if (e != std::string::npos && e > i + 1) out.push_back(s.substr(i + 1, e - i - 1));
  }
  return out;
}
}  // namespace

TEST_CASE("progress bar: each redraw fits the terminal; an error leaves its line ended", "[train][progress]") {
  for (const char* columns : {"20", "80", "200"}) {
    ::setenv("COLUMNS", columns, 1);  // stderr is a file here, so the width comes from COLUMNS
    const std::size_t width = std::strtoul(columns, nullptr, 10);
    const std::string out = captured_stderr([] {
      ctnn::detail::progress bar(ctnn::progress_mode::bar, 15, 938);
      bar.start_epoch(9);
      for (std::size_t s = 0; s < 938; s += 937) bar.step(s, 0.123456, (s + 1) * 64);  // first and last step
      // ... and training stops with an error: the destructor ends the line.
    });
    INFO("COLUMNS=" << columns << ": " << out);
    const auto lines = redraws(out);
    REQUIRE(!lines.empty());
    for (const auto& l : lines) CHECK(l.size() < width);
    CHECK(out.back() == '\n');
    if (width >= 80) CHECK(lines.back().find("step 938/938") != std::string::npos);
    if (width >= 200) CHECK(lines.back().find("[====") != std::string::npos);
  }
  ::unsetenv("COLUMNS");
}

TEST_CASE("progress bar: a resumed epoch's time left counts only the steps run", "[train][progress]") {
  ::setenv("COLUMNS", "200", 1);
  const std::string out = captured_stderr([] {
    ctnn::detail::progress bar(ctnn::progress_mode::bar, 1, 100);
    bar.start_epoch(0, 90);  // resumed after step 90 of 100
    std::this_thread::sleep_for(std::chrono::milliseconds(600));
    bar.step(94, 0.5, 5 * 64);  // 5 steps in ~0.6 s: the 5 left take ~0.6 s more, not 0.03 s
    bar.end_epoch("done");
  });
  ::unsetenv("COLUMNS");
  const auto lines = redraws(out);
  REQUIRE(lines.size() == 1);
  INFO(lines[0]);
  CHECK(lines[0].find("epoch left 1s") != std::string::npos);  // ~0.6 s rounds to 1 s
  // the rate is 320 samples over ~0.6 s, about 530/s
  const std::size_t at = lines[0].find(" samples/s");
  REQUIRE(at != std::string::npos);
  const std::size_t from = lines[0].rfind(' ', at - 1) + 1;
  const double rate = std::stod(lines[0].substr(from, at - from));
  CHECK(rate < 2000);
  CHECK(rate > 200);
}
