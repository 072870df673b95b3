// libFuzzer target: parse_npy on arbitrary bytes, then converts the elements.
#include <cstddef>
#include <cstdint>
#include <span>
#include <ctnn/data/npy.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const auto a = ctnn::data::parse_npy(std::as_bytes(std::span(data, size)), "fuzz");
    volatile std::size_t n = a.as<double>().size();
    (void)n;
  } catch (const ctnn::error&) {
  }
  return 0;
}
