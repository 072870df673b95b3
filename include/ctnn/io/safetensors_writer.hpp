#pragma once
// write_safetensors: writes tensors and string metadata as one safetensors file, atomically
// (io::atomic_file). Tensors are laid out densely in the order given; the JSON header is padded
// with spaces to a multiple of 8 bytes so every tensor's data starts 8-byte aligned in the file.
#include <bit>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <vector>
#include <nlohmann/json.hpp>
#include <ctnn/io/atomic_file.hpp>
#include <ctnn/io/dtype.hpp>

namespace ctnn::io {

/// One tensor to write: its bytes (host order, little-endian hosts only) and how to describe them.
struct tensor_source {
  std::string name;
  io::dtype type = dtype::f32;
  std::vector<std::uint64_t> shape;
  const void* data = nullptr;
  std::size_t bytes = 0;  ///< must equal prod(shape) × dtype_size(type)
};

/// The header bytes (length field excluded), padded to a multiple of 8.
inline std::string safetensors_header(std::span<const tensor_source> tensors,
                                      const std::map<std::string, std::string>& metadata) {
  nlohmann::json h = nlohmann::json::object();
  std::uint64_t at = 0;
  for (const auto& t : tensors) {
    h[t.name] = {{"dtype", std::string(dtype_name(t.type))}, {"shape", t.shape}, {"data_offsets", {at, at + t.bytes}}};
    at += t.bytes;
  }
  if (!metadata.empty()) h["__metadata__"] = metadata;
  std::string s = h.dump();
  s.append((8 - s.size() % 8) % 8, ' ');
  return s;
}

inline void write_safetensors(const std::filesystem::path& path, std::span<const tensor_source> tensors,
                              const std::map<std::string, std::string>& metadata = {}) {
  static_assert(std::endian::native == std::endian::little,
                "ctnn::io::write_safetensors: big-endian hosts would need a byte swap here");
  const std::string header = safetensors_header(tensors, metadata);
  unsigned char len[8];
  std::uint64_t n = header.size();
  for (auto& b : len) b = static_cast<unsigned char>(n & 0xff), n >>= 8;
  atomic_file f(path);
  f.write(len, 8);
  f.write(header.data(), header.size());
  for (const auto& t : tensors)
    if (t.bytes) f.write(t.data, t.bytes);
  f.commit();
}

}  // namespace ctnn::io
