// libFuzzer target: parse_csv on arbitrary text. The first byte picks the options (header mode,
// label column, delimiter, classes, NaN policy) so every branch is reachable.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <ctnn/data/csv.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t o = data[0];
  ctnn::data::csv_options opt;
  opt.header = static_cast<ctnn::data::csv_header>(o % 3);
  opt.label_column = (o >> 2) % 2 ? 0 : -1;
  opt.delimiter = (o >> 3) % 2 ? ';' : ',';
  opt.classes = (o >> 4) % 2 ? 10 : 0;
  opt.allow_nan = (o >> 5) % 2;
  if ((o >> 6) % 2) opt.label_name = "label";
  try {
    const auto d = ctnn::data::parse_csv(std::string_view(reinterpret_cast<const char*>(data + 1), size - 1), "fuzz", opt);
    volatile std::size_t n = d.size();
    (void)n;
  } catch (const ctnn::error&) {
  }
  return 0;
}
