// read_csv / parse_csv: values, header detection, label column choice, and every bad input
// named by file, line and column.
#include <catch2/catch.hpp>
#include <cmath>
#include <string>
#include <type_traits>
#include <ctnn/data/csv.hpp>
#include "io/io_support.hpp"

using ctnn::data::csv_header;
using ctnn::data::csv_options;
using ctnn::data::parse_csv;

namespace {
/// The message parse_csv (or, with csv_regression_options, parse_csv_regression) throws on text
/// named "data.csv"; "no error" when it does not throw.
template <class Options>
std::string csv_error(std::string_view text, const Options& options) {
  try {
    if constexpr (std::is_same_v<Options, ctnn::data::csv_options>) parse_csv(text, "data.csv", options);
    else ctnn::data::parse_csv_regression(text, "data.csv", options);
  } catch (const ctnn::error& e) {
    return e.what();
  }
  return "no error";
}
}  // namespace

TEST_CASE("csv: numbers, labels, optional header, blank lines and CRLF", "[io][csv]") {
  const auto d = parse_csv("a,b,label\r\n1.5, -2 ,0\r\n\r\n3e2,+4,2\n", "t.csv");
  REQUIRE(d.size() == 2);
  REQUIRE(d.features() == 2);
  CHECK(d.x(0, 0) == 1.5f);
  CHECK(d.x(0, 1) == -2.0f);
  CHECK(d.x(1, 0) == 300.0f);
  CHECK(d.x(1, 1) == 4.0f);
  CHECK(d.y(0) == 0);
  CHECK(d.y(1) == 2);
  CHECK(d.classes == 3);

  const auto no_header = parse_csv("1,2,0\n3,4,1", "t.csv");  // no trailing newline
  CHECK(no_header.size() == 2);
  const auto first = parse_csv("label,x\n1,0.5\n0,0.25\n", "t.csv", csv_options{.label_column = 0});
  CHECK(first.x(0, 0) == 0.5f);
  CHECK(first.y(0) == 1);
  const auto named = parse_csv("x;label;z\n1;1;2\n", "t.csv", csv_options{.label_name = "label", .delimiter = ';', .classes = 4});
  CHECK(named.x(0, 1) == 2.0f);
  CHECK(named.classes == 4);
  // header: present forces the first line to be a header even if numeric
  CHECK(parse_csv("1,2\n3,1\n", "t.csv", csv_options{.header = csv_header::present}).size() == 1);
  CHECK(std::isnan(parse_csv("nan,1\n", "t.csv", csv_options{.allow_nan = true}).x(0, 0)));

  // A UTF-8 byte order mark before the first row: not part of its first cell, so that row is data.
  const auto bom = parse_csv("\xEF\xBB\xBF" "1,2,0\n3,4,1\n5,6,1\n", "t.csv");
  REQUIRE(bom.size() == 3);
  CHECK(bom.x(0, 0) == 1.0f);
  const auto bom_header = parse_csv("\xEF\xBB\xBF" "a,label\n1,0\n", "t.csv", csv_options{.label_name = "a"});
  CHECK(bom_header.y(0) == 1);
  // pandas writes its index column with an empty name: still a header.
  const auto indexed = parse_csv(",a,label\n0,1.5,1\n1,2.5,0\n", "t.csv");
  REQUIRE(indexed.size() == 2);
  CHECK(indexed.x(1, 1) == 2.5f);
}

TEST_CASE("csv: values too small for a float read as 0 or a subnormal", "[io][csv]") {
  const std::string zeros(400, '0');
  const auto d = parse_csv("1e-50,-1e-50,1e-400,0." + zeros + "1,1e-40,3.4e38,0\n", "t.csv");
  REQUIRE(d.features() == 6);
  CHECK(d.x(0, 0) == 0.0f);
  CHECK(d.x(0, 1) == 0.0f);
  CHECK(std::signbit(d.x(0, 1)));
  CHECK(d.x(0, 2) == 0.0f);
  CHECK(d.x(0, 3) == 0.0f);
  CHECK(d.x(0, 4) == static_cast<float>(1e-40));  // a subnormal
  CHECK(d.x(0, 4) > 0.0f);
  CHECK(d.x(0, 5) == 3.4e38f);
  // Exponents beyond 10^±(2^63) are classified by their sign.
  CHECK(parse_csv("1e-99999999999999999999,0\n", "t.csv").x(0, 0) == 0.0f);
  CHECK_THROWS_WITH(parse_csv("1e99999999999999999999,0\n", "t.csv"), Catch::Contains("out of float's range"));
  CHECK_THROWS_WITH(parse_csv("123" + zeros + ",0\n", "t.csv"), Catch::Contains("out of float's range"));
}

TEST_CASE("csv: bad inputs name the file, line and column", "[io][csv]") {
  auto err = [](std::string_view text, csv_options o = {}) { return csv_error(text, o); };
  CHECK_THAT(err("a,b,c\n1,2,0\n1,2\n"), Catch::Contains("data.csv:3: 2 cells, expected 3 (as on line 1)"));
  CHECK_THAT(err("a,b,c\n1,x,0\n"), Catch::Contains("data.csv:2:2 (column 2 'b'): 'x' is not a number"));
  CHECK_THAT(err("1,2,0\n1,,0\n"), Catch::Contains("data.csv:2:2 (column 2): empty cell"));
  CHECK_THAT(err("1,2,0\n1,nan,0\n"), Catch::Contains("data.csv:2:2 (column 2): 'nan' is not finite"));
  CHECK_THAT(err("1,2,0\n1,inf,0\n"), Catch::Contains("not finite"));
  CHECK_THAT(err("1,2,0\n1,2,1.5\n"), Catch::Contains("data.csv:2:3 (column 3): label '1.5' is not an integer"));
  CHECK_THAT(err("1,2,0\n1,2,-1\n"), Catch::Contains("data.csv:2:3 (column 3): label -1 is out of range"));
  CHECK_THAT(err("1,2,0\n1,2,5\n", csv_options{.classes = 5}), Catch::Contains("data.csv:2:3 (column 3): label 5 is out of range [0, 5)"));
  CHECK_THAT(err("1,2,0\n1,2,99999999999\n"), Catch::Contains("out of range"));
  CHECK_THAT(err("1,2,0\n1,1e99,0\n"), Catch::Contains("data.csv:2:2 (column 2): '1e99' is out of float's range"));
  CHECK_THAT(err("1,2,0\n1,-1e400,0\n"), Catch::Contains("'-1e400' is out of float's range"));
  CHECK_THAT(err("1,2,0\n1,+-5,0\n"), Catch::Contains("'+-5' is not a number"));
  CHECK_THAT(err("1,2,0\n1,++5,0\n"), Catch::Contains("'++5' is not a number"));
  CHECK_THAT(err("1,2,0\n1,2,+-1\n"), Catch::Contains("label '+-1' is not a number"));
  // A first row with an empty cell is a data row with an error, not a header dropped silently.
  CHECK_THAT(err("1,,0\n3,4,1\n5,6,1\n"), Catch::Contains("data.csv:1:2 (column 2): empty cell"));
  CHECK_THAT(err(""), Catch::Contains("data.csv: no data rows"));
  CHECK_THAT(err("a,b\n"), Catch::Contains("no data rows"));
  CHECK_THAT(err("1\n2\n"), Catch::Contains("data.csv:1: 1 column"));
  CHECK_THAT(err("1,2\n", csv_options{.label_column = 2}), Catch::Contains("label column 2 does not exist: the file has 2 columns"));
  CHECK_THAT(err("1,2\n", csv_options{.label_name = "y"}), Catch::Contains("requested by name but the file has no header"));
  CHECK_THAT(err("a,b\n1,2\n", csv_options{.label_name = "y"}), Catch::Contains("no column named 'y' in the header (a, b)"));
  CHECK_THAT(err("1,2,0\n1,2,0\n", csv_options{.delimiter = ';'}), Catch::Contains("1 column"));

  ctnn_test::scratch_dir dir("csv");
  ctnn_test::write_bytes(dir / "f.csv", "x,y\n1,0\n2,x\n");
  CHECK_THROWS_WITH(ctnn::data::read_csv(dir / "f.csv"), Catch::Contains("f.csv:3:2 (column 2 'y'): label 'x' is not a number"));
  CHECK_THROWS_WITH(ctnn::data::read_csv(dir / "missing.csv"), Catch::Contains("missing.csv': file does not exist"));
}

TEST_CASE("csv regression: real-valued targets by position or by name", "[io][csv]") {
  using ctnn::data::csv_regression_options;
  using ctnn::data::parse_csv_regression;
  const auto d = parse_csv_regression("x0,x1,y\n0.5,2,-4.25\n1,-1,5e-1\n", "r.csv");
  REQUIRE(d.size() == 2);
  REQUIRE(d.features() == 2);
  REQUIRE(d.targets() == 1);
  CHECK(d.x(0, 1) == 2.0f);
  CHECK(d.y(0, 0) == -4.25f);
  CHECK(d.y(1, 0) == 0.5f);
  // Two targets, the last two columns; or named, anywhere, in the file's order.
  const auto two = parse_csv_regression("1,2,3,4\n5,6,7,8\n", "r.csv", csv_regression_options{.targets = 2});
  CHECK(two.features() == 2);
  CHECK(two.y(1, 0) == 7.0f);
  CHECK(two.y(1, 1) == 8.0f);
  const auto named = parse_csv_regression("t2,a,t1,b\n1,2,3,4\n", "r.csv", csv_regression_options{.target_names = {"t1", "t2"}});
  CHECK(named.features() == 2);
  CHECK(named.x(0, 0) == 2.0f);
  CHECK(named.x(0, 1) == 4.0f);
  CHECK(named.y(0, 0) == 1.0f);  // t2 comes first in the file
  CHECK(named.y(0, 1) == 3.0f);

  auto err = [](std::string_view text, csv_regression_options o = {}) { return csv_error(text, o); };
  CHECK_THAT(err("1,2,nan\n"), Catch::Contains("read_csv_regression: data.csv:1:3 (column 3): target 'nan' is not finite"));
  CHECK_THAT(err("1,2,nan\n", csv_regression_options{.allow_nan = true}), Catch::Contains("target 'nan' is not finite"));
  CHECK_THAT(err("1,2,\n"), Catch::Contains("empty target cell"));
  CHECK_THAT(err("1,2,3\n1,2,abc\n"), Catch::Contains("data.csv:2:3 (column 3): target 'abc' is not a number"));
  CHECK_THAT(err("1,2\n", csv_regression_options{.targets = 2}), Catch::Contains("2 columns: need at least one feature and the targets"));
  CHECK_THAT(err("1,2\n", csv_regression_options{.targets = 0}), Catch::Contains("targets is 0"));
  CHECK_THAT(err("a,b\n1,2\n", csv_regression_options{.target_names = {"y"}}), Catch::Contains("no column named 'y' in the header (a, b)"));
  CHECK_THAT(err("1,2\n", csv_regression_options{.target_names = {"y"}}), Catch::Contains("requested by name but the file has no header"));
  // A NaN feature is accepted on request, never a NaN target.
  CHECK(std::isnan(parse_csv_regression("nan,1\n", "r.csv", csv_regression_options{.allow_nan = true}).x(0, 0)));
}

TEST_CASE("csv: messages point at the options that would read the file", "[io][csv]") {
  auto err = [](std::string_view text, csv_options o = {}) { return csv_error(text, o); };
  CHECK_THAT(err("1;2;0\n"), Catch::Contains("1 column: need at least one feature and the label (the line has ';' in it: set csv_options::delimiter?)"));
  CHECK_THAT(err("1\t2\t0\n"), Catch::Contains("has '\\t' in it"));
  CHECK_THAT(err("1,nan,0\n"), Catch::Contains("csv_options::allow_nan accepts them"));
  CHECK_THAT(err("1,2,0.5\n"), Catch::Contains("label '0.5' is not an integer (real-valued targets: read_csv_regression)"));
}

TEST_CASE("csv: a column name must say which column it is", "[io][csv]") {
  using ctnn::data::csv_regression_options;
  auto reg_err = [](std::string_view text, csv_regression_options o) { return csv_error(text, o); };
  CHECK_THAT(reg_err("a,c,d\n1,2,3\n", {.target_names = {"c", "c"}}), Catch::Contains("target column 'c' is named twice"));
  CHECK_THAT(reg_err("a,y,y\n1,2,3\n", {.target_names = {"y"}}),
             Catch::Contains("2 columns are named 'y' in the header: the name does not say which"));
  CHECK_THAT(reg_err("1;2;3\n", {.targets = 3}),
             Catch::Contains("3 target columns asked for but the file has 1 columns (the line has ';' in it: set "
                             "csv_regression_options::delimiter?)"));
  CHECK_THAT(reg_err("nan,1\n", {}), Catch::Contains("csv_regression_options::allow_nan accepts them"));
  CHECK_THROWS_WITH(parse_csv("a,y,y\n1,0,1\n", "t.csv", csv_options{.label_name = "y"}),
                    Catch::Contains("2 columns are named 'y'"));
}
