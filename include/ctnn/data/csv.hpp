#pragma once
// read_csv / parse_csv: a numeric CSV file into a labeled_dataset; read_csv_regression /
// parse_csv_regression: into a regression_dataset (real-valued target columns, see below).
//   - every column but the label column is a feature (float); the label column holds integers;
//   - a header line is optional: automatic detection treats the first line as a header when
//     any of its cells is a name (neither a number nor empty); the label column may then be
//     chosen by name;
//   - blank lines are skipped; "\r\n" line ends, spaces around cells and a leading UTF-8 byte
//     order mark are accepted;
//   - features are decimal numbers read as the nearest float: one too small for a float reads as
//     0 (or a subnormal), one too large is an error;
//   - labels must lie in [0, classes) (classes = max label + 1 when options.classes is 0).
// Each bad input is a ctnn::error naming the file, the line and the column:
//   "read_csv: iris.csv:14:3 (column 3 'petal_length'): 'abc' is not a number"
// (ragged rows, non-numeric cells, NaN or infinity where not allowed, labels that are not
// integers or out of range, no data rows).
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>
#include <fmt/format.h>
#include <xtensor/xtensor.hpp>
#include <ctnn/core/error.hpp>
#include <ctnn/data/dataset.hpp>
#include <ctnn/data/regression_dataset.hpp>
#include <ctnn/io/read_file.hpp>

namespace ctnn::data {

enum class csv_header { automatic, present, absent };

struct csv_options {
  std::ptrdiff_t label_column = -1;  ///< 0-based; negative counts from the end (−1: the last column)
  std::string label_name{};          ///< when set, the label is the column with this header name
  csv_header header = csv_header::automatic;
  char delimiter = ',';
  std::size_t classes = 0;           ///< labels in [0, classes); 0: max label + 1
  bool allow_nan = false;            ///< accept NaN and infinities among the features
};

/// read_csv_regression's options: which columns are the (real-valued) targets.
struct csv_regression_options {
  std::vector<std::string> target_names{};  ///< the target columns by header name; when empty:
  std::size_t targets = 1;                  ///< the last `targets` columns are the targets
  csv_header header = csv_header::automatic;
  char delimiter = ',';
  bool allow_nan = false;  ///< accept NaN and infinities among the features (never in a target)
};

namespace detail {

inline std::string_view csv_trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

inline std::vector<std::string_view> csv_split(std::string_view line, char delim) {
  std::vector<std::string_view> cells;
  for (;;) {
    const auto p = line.find(delim);
    cells.push_back(csv_trim(line.substr(0, p)));
    if (p == std::string_view::npos) return cells;
    line.remove_prefix(p + 1);
  }
}

/// For a number out of float's range: true when its magnitude is below 1 (it underflows), false
/// when it overflows. The decimal exponent of its first significant digit, plus its exponent part.
inline bool csv_underflows(std::string_view s) {
  if (!s.empty() && s.front() == '-') s.remove_prefix(1);
  long long exponent = 0;
  if (const auto e = s.find_first_of("eE"); e != std::string_view::npos) {
    std::string_view digits = s.substr(e + 1);
    const bool negative = !digits.empty() && digits.front() == '-';
    if (!digits.empty() && (digits.front() == '-' || digits.front() == '+')) digits.remove_prefix(1);
    const auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), exponent);
    if (ec == std::errc::result_out_of_range) return negative;  // beyond 10^±(2^63)
    if (negative) exponent = -exponent;
    s = s.substr(0, e);
  }
  const auto point = s.find('.');
  const std::string_view whole = s.substr(0, point);
  long long lead = 0;  // the decimal exponent of the first nonzero digit
  if (const auto first = whole.find_first_not_of('0'); first != std::string_view::npos) {
    lead = static_cast<long long>(whole.size() - first) - 1;
  } else {
    const std::string_view fraction = point == std::string_view::npos ? std::string_view{} : s.substr(point + 1);
    lead = -static_cast<long long>(fraction.find_first_not_of('0')) - 1;
  }
  return lead + exponent < 0;
}

enum class csv_parse { ok, not_a_number, out_of_range };

/// A decimal number (an optional sign, digits, a point, an exponent; "inf" and "nan" too), as the
/// nearest float. One that underflows float reads as 0 (or a subnormal, as rounding gives); one
/// beyond float's largest value is out_of_range.
inline csv_parse csv_number(std::string_view s, float& out) {
  if (!s.empty() && s.front() == '+') {
    s.remove_prefix(1);
    if (!s.empty() && (s.front() == '-' || s.front() == '+')) return csv_parse::not_a_number;  // "+-5"
  }
  if (s.empty()) return csv_parse::not_a_number;
  const char* end = s.data() + s.size();
  const auto [p, ec] = std::from_chars(s.data(), end, out);
  if (p != end) return csv_parse::not_a_number;
  if (ec == std::errc{}) return csv_parse::ok;
  if (ec != std::errc::result_out_of_range) return csv_parse::not_a_number;
  if (!csv_underflows(s)) return csv_parse::out_of_range;
  double d = 0;  // the subnormal, or a signed 0, that the value rounds to
  const auto [q, dec] = std::from_chars(s.data(), end, d);
  out = dec == std::errc{} ? static_cast<float>(d) : (s.front() == '-' ? -0.0f : 0.0f);
  return csv_parse::ok;
}

}  // namespace detail

namespace detail {

/// The rows of CSV text: every column that is not a target is a feature, read as a float into xs;
/// each target cell goes to target(cell, column, bad) in row order. choose(header_names, columns,
/// fail) picks the target columns once the first line is read (header_names empty without a
/// header) and returns a flag per column. `who` starts every message; `target_noun` names the
/// target columns in them. Returns the feature count.
template <class Choose, class Target>
std::size_t csv_rows(std::string_view text, std::string_view source, std::string_view who, std::string_view target_noun,
                     std::string_view options_name, csv_header header, char delimiter, bool allow_nan, Choose&& choose,
                     Target&& target, std::vector<float>& xs) {
  auto fail_at = [&](std::size_t line, std::string_view what) -> void {
    throw error(fmt::format("{}: {}:{}: {}", who, source, line, what));
  };
  // A UTF-8 byte order mark (spreadsheet programs write one) is not part of the first cell.
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  std::vector<std::string_view> header_names;
  std::vector<bool> is_target;
  std::size_t columns = 0, targets = 0, first_line = 0, line_no = 0, rows = 0;
  bool have_layout = false;
  auto column_name = [&](std::size_t c) {
    return header_names.empty() ? fmt::format("column {}", c + 1)
                                : fmt::format("column {} '{}'", c + 1, header_names[c]);
  };

  while (!text.empty() || line_no == 0) {
    const auto nl = text.find('\n');
    const std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    ++line_no;
    if (csv_trim(line).empty()) {
      if (text.empty()) break;
      continue;
    }
    const auto cells = csv_split(line, delimiter);

    if (!have_layout) {  // the first non-blank line fixes the column count and the header
      columns = cells.size();
      first_line = line_no;
      bool is_header = header == csv_header::present;
      if (header == csv_header::automatic) {
        // A header has a name in it: a cell that is neither a number nor empty. An empty cell
        // alone does not make one (pandas names its index column ""): "1,,0" is a data row, whose
        // empty cell is then an error, not a header that silently drops it.
        float dummy;
        for (auto c : cells) is_header = is_header || (!c.empty() && csv_number(c, dummy) == csv_parse::not_a_number);
      }
      if (is_header) header_names = cells;
      // One column where a delimiter other than the one asked for would split the line: every
      // layout error says so.
      std::string hint;
      if (columns == 1)
        for (char d : {',', ';', '\t', '|'})
          if (d != delimiter && line.find(d) != std::string_view::npos) {
            hint = fmt::format(" (the line has '{}' in it: set {}::delimiter?)",
                               d == '\t' ? std::string("\\t") : std::string(1, d), options_name);
            break;
          }
      is_target = choose(header_names, columns, [&](std::string_view what) { fail_at(line_no, fmt::format("{}{}", what, hint)); });
      targets = static_cast<std::size_t>(std::count(is_target.begin(), is_target.end(), true));
      if (columns <= targets)
        fail_at(line_no, fmt::format("{} column{}: need at least one feature and the {}{}", columns,
                                     columns == 1 ? "" : "s", target_noun, hint));
      have_layout = true;
      if (is_header) {
        if (text.empty()) break;
        continue;
      }
    }

    if (cells.size() != columns)
      fail_at(line_no, fmt::format("{} cells, expected {} (as on line {})", cells.size(), columns, first_line));
    for (std::size_t c = 0; c < columns; ++c) {
      const std::string_view cell = cells[c];
      auto bad = [&](std::string_view what) {
        throw error(fmt::format("{}: {}:{}:{} ({}): {}", who, source, line_no, c + 1, column_name(c), what));
      };
      if (is_target[c]) {
        target(cell, c, bad);
      } else {
        float f = 0;
        const csv_parse parsed = csv_number(cell, f);
        if (parsed == csv_parse::out_of_range)
          bad(fmt::format("'{}' is out of float's range (its largest value is {:g})", cell,
                          std::numeric_limits<float>::max()));
        if (parsed != csv_parse::ok)
          bad(cell.empty() ? std::string("empty cell") : fmt::format("'{}' is not a number", cell));
        if (!allow_nan && !std::isfinite(f))
          bad(fmt::format("'{}' is not finite (NaN and infinities are not allowed among the features; "
                          "{}::allow_nan accepts them)",
                          cell, options_name));
        xs.push_back(f);
      }
    }
    ++rows;
    if (text.empty()) break;
  }
  if (rows == 0) throw error(fmt::format("{}: {}: no data rows", who, source));
  return columns - targets;
}

/// The column called `name` in the header: exactly one, else an error (none, or several).
inline std::size_t csv_named_column(const std::vector<std::string_view>& names, std::string_view name, const auto& fail) {
  std::size_t found = names.size(), count = 0;
  for (std::size_t c = 0; c < names.size(); ++c)
    if (names[c] == name) found = c, ++count;
  if (count == 0) fail(fmt::format("no column named '{}' in the header ({})", name, fmt::join(names, ", ")));
  if (count > 1) fail(fmt::format("{} columns are named '{}' in the header: the name does not say which", count, name));
  return found;
}

/// The one column csv_options names as the label (by name or index).
inline std::vector<bool> csv_label_column(const csv_options& options, const std::vector<std::string_view>& names,
                                          std::size_t columns, const auto& fail) {
  std::size_t label = 0;
  if (!options.label_name.empty()) {
    if (names.empty()) fail(fmt::format("label column '{}' requested by name but the file has no header", options.label_name));
    label = csv_named_column(names, options.label_name, fail);
  } else {
    const auto lc = options.label_column;
    const auto ncol = static_cast<std::ptrdiff_t>(columns);
    if (lc >= ncol || lc < -ncol) fail(fmt::format("label column {} does not exist: the file has {} columns", lc, columns));
    label = static_cast<std::size_t>(lc < 0 ? ncol + lc : lc);
  }
  std::vector<bool> is_label(columns, false);
  is_label[label] = true;
  return is_label;
}

}  // namespace detail

/// Parses CSV text (source names it in messages).
inline labeled_dataset parse_csv(std::string_view text, std::string_view source, const csv_options& options = {}) {
  std::vector<float> xs;
  std::vector<std::int32_t> ys;
  long long max_label = -1;
  auto choose = [&](const std::vector<std::string_view>& names, std::size_t columns, const auto& fail) {
    return detail::csv_label_column(options, names, columns, fail);
  };
  auto label = [&](std::string_view cell, std::size_t, const auto& bad) {
    long long v = 0;
    std::string_view s = cell;
    if (!s.empty() && s.front() == '+') s.remove_prefix(1);
    const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc{} || p != s.data() + s.size() || (s.size() < cell.size() && s.front() == '-')) {
      float f;
      bad(detail::csv_number(cell, f) != detail::csv_parse::not_a_number
              ? fmt::format("label '{}' is not an integer (real-valued targets: read_csv_regression)", cell)
              : fmt::format("label '{}' is not a number", cell));
    }
    if (v < 0 || (options.classes != 0 && static_cast<unsigned long long>(v) >= options.classes) ||
        v > std::numeric_limits<std::int32_t>::max())
      bad(options.classes != 0 ? fmt::format("label {} is out of range [0, {})", v, options.classes)
                               : fmt::format("label {} is out of range (negative or above 2^31)", v));
    max_label = std::max(max_label, v);
    ys.push_back(static_cast<std::int32_t>(v));
  };
  const std::size_t features = detail::csv_rows(text, source, "read_csv", "label", "csv_options", options.header, options.delimiter,
                                                options.allow_nan, choose, label, xs);
  const std::size_t n = ys.size();
  xt::xtensor<float, 2> x = xt::empty<float>({n, features});
  std::copy(xs.begin(), xs.end(), x.begin());
  xt::xtensor<std::int32_t, 1> y = xt::empty<std::int32_t>({n});
  std::copy(ys.begin(), ys.end(), y.begin());
  const std::size_t classes = options.classes ? options.classes : static_cast<std::size_t>(max_label + 1);
  return make_labeled(std::move(x), std::move(y), classes);
}

/// Parses CSV text with real-valued targets (source names it in messages): the columns named in
/// options.target_names, in the file's order, or else the last options.targets columns. Targets
/// must be finite numbers (a regression loss cannot use NaN); the other columns are the features.
inline regression_dataset parse_csv_regression(std::string_view text, std::string_view source,
                                               const csv_regression_options& options = {}) {
  std::vector<float> xs, ys;
  auto choose = [&](const std::vector<std::string_view>& names, std::size_t columns, const auto& fail) {
    std::vector<bool> is_target(columns, false);
    if (!options.target_names.empty()) {
      if (names.empty()) fail("target columns requested by name but the file has no header");
      for (const std::string& want : options.target_names) {
        const std::size_t c = detail::csv_named_column(names, want, fail);
        if (is_target[c]) fail(fmt::format("target column '{}' is named twice in target_names", want));
        is_target[c] = true;
      }
    } else {
      if (options.targets == 0) fail("csv_regression_options::targets is 0: a regression needs at least one target");
      if (options.targets > columns)
        fail(fmt::format("{} target columns asked for but the file has {} columns", options.targets, columns));
      for (std::size_t c = columns - options.targets; c < columns; ++c) is_target[c] = true;
    }
    return is_target;
  };
  auto target = [&](std::string_view cell, std::size_t, const auto& bad) {
    float f = 0;
    const detail::csv_parse parsed = detail::csv_number(cell, f);
    if (parsed == detail::csv_parse::out_of_range)
      bad(fmt::format("target '{}' is out of float's range (its largest value is {:g})", cell,
                      std::numeric_limits<float>::max()));
    if (parsed != detail::csv_parse::ok)
      bad(cell.empty() ? std::string("empty target cell") : fmt::format("target '{}' is not a number", cell));
    if (!std::isfinite(f)) bad(fmt::format("target '{}' is not finite", cell));
    ys.push_back(f);
  };
  const std::size_t features = detail::csv_rows(text, source, "read_csv_regression", "targets", "csv_regression_options", options.header,
                                                options.delimiter, options.allow_nan, choose, target, xs);
  const std::size_t n = xs.size() / features, k = ys.size() / n;
  xt::xtensor<float, 2> x = xt::empty<float>({n, features});
  std::copy(xs.begin(), xs.end(), x.begin());
  xt::xtensor<float, 2> y = xt::empty<float>({n, k});
  std::copy(ys.begin(), ys.end(), y.begin());
  return make_regression(std::move(x), std::move(y));
}

/// Reads and parses the CSV file at path.
inline labeled_dataset read_csv(const std::filesystem::path& path, const csv_options& options = {}) {
  const auto bytes = io::read_file(path, "read_csv");
  return parse_csv(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()), path.string(), options);
}

/// Reads and parses the CSV file at path, with real-valued targets (parse_csv_regression).
inline regression_dataset read_csv_regression(const std::filesystem::path& path,
                                              const csv_regression_options& options = {}) {
  const auto bytes = io::read_file(path, "read_csv_regression");
  return parse_csv_regression(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()),
                              path.string(), options);
}

}  // namespace ctnn::data
