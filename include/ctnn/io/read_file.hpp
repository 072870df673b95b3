#pragma once
// read_file: a whole file into memory, or ctnn::error naming the file (missing, a directory,
// unreadable). The size is taken from the bytes actually read, never from a header.
#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string_view>
#include <vector>
#include <fmt/format.h>
#include <ctnn/core/error.hpp>

namespace ctnn::io {

inline std::vector<std::byte> read_file(const std::filesystem::path& path, std::string_view who) {
  std::error_code ec;
  const auto st = std::filesystem::status(path, ec);
  if (!std::filesystem::exists(st)) throw error(fmt::format("{}: '{}': file does not exist", who, path.string()));
  if (std::filesystem::is_directory(st))
    throw error(fmt::format("{}: '{}': is a directory, not a file", who, path.string()));
  struct closer {
    void operator()(std::FILE* f) const noexcept { std::fclose(f); }
  };
  std::unique_ptr<std::FILE, closer> f(std::fopen(path.c_str(), "rb"));
  if (!f) throw error(fmt::format("{}: '{}': cannot open: {}", who, path.string(), std::strerror(errno)));
  std::vector<std::byte> out;
  constexpr std::size_t chunk = std::size_t{1} << 20;
  for (;;) {
    const std::size_t old = out.size();
    out.resize(old + chunk);
    const std::size_t got = std::fread(out.data() + old, 1, chunk, f.get());
    out.resize(old + got);
    if (got < chunk) break;
  }
  if (std::ferror(f.get()))
    throw error(fmt::format("{}: '{}': read error: {}", who, path.string(), std::strerror(errno)));
  return out;
}

}  // namespace ctnn::io
