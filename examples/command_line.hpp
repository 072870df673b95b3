#pragma once
// command_line: the examples' "--name value" options, checked before any work is done. --help
// prints the usage and exits 0; an unknown option, a missing value, or a value that is not a
// number of the right kind ("abc", "2x", "-1", "0" where a count must be positive) prints what is
// wrong and the usage and exits 2. A mistyped command line used to start a full training run,
// truncating the last run's metrics files (a lone "--help" was never read).
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>
#include <fmt/format.h>

namespace example {

class command_line {
 public:
  /// names: the accepted options ("--epochs", ...); usage: their summary, printed after the name.
  command_line(int argc, char** argv, const std::vector<std::string>& names, std::string usage)
      : program_(argc > 0 ? argv[0] : "example"), usage_(std::move(usage)) {
    for (int i = 1; i < argc; ++i) {
      const std::string flag = argv[i];
      if (flag == "--help" || flag == "-h") {
        fmt::print("usage: {} {}\n", program_, usage_);
        std::exit(0);
      }
      bool known = false;
      for (const auto& n : names) known = known || n == flag;
      if (!known) fail(fmt::format("unknown option '{}'", flag));
      if (i + 1 == argc) fail(fmt::format("{} needs a value", flag));
      values_[flag] = argv[++i];
    }
  }

  /// A count of at least `min` (a whole decimal number, nothing after it).
  std::size_t count(const std::string& name, std::size_t fallback, std::size_t min = 1) const {
    const auto it = values_.find(name);
    if (it == values_.end()) return fallback;
    const std::string& s = it->second;
    std::size_t v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || end != s.data() + s.size() || s.empty())
      fail(fmt::format("{} takes a whole number, not '{}'", name, s));
    if (v < min) fail(fmt::format("{} must be at least {}, not {}", name, min, v));
    return v;
  }

  /// A positive, finite real number.
  double positive(const std::string& name, double fallback) const {
    const auto it = values_.find(name);
    if (it == values_.end()) return fallback;
    const std::string& s = it->second;
    double v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || end != s.data() + s.size() || s.empty() || !std::isfinite(v) || !(v > 0))
      fail(fmt::format("{} takes a positive number, not '{}'", name, s));
    return v;
  }

  std::string text(const std::string& name, std::string fallback) const {
    const auto it = values_.find(name);
    return it == values_.end() ? fallback : it->second;
  }
  bool has(const std::string& name) const { return values_.count(name) > 0; }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    fmt::print(stderr, "{}: {}\nusage: {} {}\n", program_, what, program_, usage_);
    std::exit(2);
  }

  std::string program_, usage_;
  std::map<std::string, std::string> values_;
};

}  // namespace example
