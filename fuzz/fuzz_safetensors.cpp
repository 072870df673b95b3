// libFuzzer target: parse_safetensors on arbitrary bytes, then the load validation ctnn::load
// runs (names, dtypes, shapes, copy) against the tensors of a small network:
// sequential<input<4>, dense<3>, relu, residual<dense<2>, dense<3>>, dense<2>>. The list is
// spelled out rather than taken from model<> so this target builds with clang 14, whose consteval
// support cannot compile the network plan. Any ctnn::error is a clean reject.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>
#include <ctnn/io/safetensors_view.hpp>
#include <ctnn/io/tensor_target.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static float arena[64];
  try {
    const auto file = ctnn::io::parse_safetensors(std::as_bytes(std::span(data, size)), "fuzz");
    using ctnn::io::dtype;
    const std::vector<ctnn::io::tensor_target> wanted = {
        {"0.weight", dtype::f32, {3, 4}, arena},      {"0.bias", dtype::f32, {3}, arena + 12},
        {"2.0.weight", dtype::f32, {2, 3}, arena + 15}, {"2.0.bias", dtype::f32, {2}, arena + 21},
        {"2.1.weight", dtype::f32, {3, 2}, arena + 23}, {"2.1.bias", dtype::f32, {3}, arena + 29},
        {"3.weight", dtype::f32, {2, 3}, arena + 32},   {"3.bias", dtype::f32, {2}, arena + 38}};
    ctnn::io::read_tensors(file, wanted, "fuzz", "fuzz");
  } catch (const ctnn::error&) {
  }
  return 0;
}
