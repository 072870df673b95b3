#pragma once
// Test helpers for tests/data: build IDX bytes in memory, gzip them with zlib, write them to a
// per-process temporary directory (removed at exit).
#include <zlib.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <unistd.h>
#include <vector>

namespace idx_test {

// The IDX header: magic, type code, dims (big-endian uint32).
inline std::string header(std::uint8_t type, const std::vector<std::uint32_t>& dims) {
  std::string s{'\0', '\0', static_cast<char>(type), static_cast<char>(dims.size())};
  for (std::uint32_t d : dims)
    for (int shift = 24; shift >= 0; shift -= 8) s += static_cast<char>((d >> shift) & 0xff);
  return s;
}

// Appends v big-endian (the IDX byte order) whatever the host is.
template <class T>
void put_be(std::string& s, T v) {
  unsigned char b[sizeof(T)];
  std::memcpy(b, &v, sizeof(T));
  std::uint16_t probe = 1;
  const bool little = *reinterpret_cast<unsigned char*>(&probe) == 1;
  for (std::size_t i = 0; i < sizeof(T); ++i) s += static_cast<char>(b[little ? sizeof(T) - 1 - i : i]);
}

template <class T>
std::string idx(std::uint8_t type, const std::vector<std::uint32_t>& dims, const std::vector<T>& values) {
  std::string s = header(type, dims);
  for (T v : values) put_be(s, v);
  return s;
}

// One gzip member (deflate with the gzip wrapper), as gzip(1) writes it.
inline std::string gzip(const std::string& raw) {
  z_stream zs{};
  if (deflateInit2(&zs, Z_BEST_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    throw std::runtime_error("deflateInit2");
  std::string out(deflateBound(&zs, raw.size()) + 64, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(raw.data()));
  zs.avail_in = static_cast<uInt>(raw.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) throw std::runtime_error("deflate");
  return out;
}

// A fresh directory under the system temp dir, unique per process and call.
inline std::filesystem::path temp_dir(const std::string& tag) {
  static int counter = 0;
  auto dir = std::filesystem::temp_directory_path() /
             ("ctnn_test_data_" + std::to_string(::getpid()) + "_" + tag + "_" + std::to_string(counter++));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

// Removes its directory when the test ends, pass or fail.
struct scoped_dir {
  std::filesystem::path path;
  explicit scoped_dir(const std::string& tag) : path(temp_dir(tag)) {}
  ~scoped_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  scoped_dir(const scoped_dir&) = delete;
  scoped_dir& operator=(const scoped_dir&) = delete;
};

inline std::filesystem::path write(const std::filesystem::path& p, const std::string& bytes) {
  std::ofstream f(p, std::ios::binary | std::ios::trunc);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!f) throw std::runtime_error("cannot write " + p.string());
  return p;
}

}  // namespace idx_test
