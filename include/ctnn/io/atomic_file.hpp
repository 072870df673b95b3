#pragma once
// atomic_file: writes a file so that readers only ever see the old contents or the complete new
// ones, even if the process is killed or the machine loses power mid-write.
//   1. create a temporary file "<name>.tmp.XXXXXX" in the target's directory (same filesystem,
//      so rename is atomic),
//   2. write, flush, fsync(file),
//   3. rename(temp, target), fsync(directory) so the rename itself is durable.
// Destroying an atomic_file that was not committed removes the temporary. A SIGKILL between 1 and
// 3 leaves a stray "<name>.tmp.*" next to an intact target.
//
//   ctnn::io::atomic_file f{"model.safetensors"};
//   f.write(bytes.data(), bytes.size());
//   f.commit();
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <filesystem>
#include <string>
#include <fcntl.h>
#include <unistd.h>
#include <fmt/format.h>
#include <ctnn/core/error.hpp>

namespace ctnn::io {

class atomic_file {
 public:
  explicit atomic_file(std::filesystem::path target) : target_(std::move(target)) {
    if (target_.filename().empty())
      throw error(fmt::format("ctnn::io: cannot write '{}': the path names no file", target_.string()));
    std::filesystem::path dir = target_.parent_path();
    dir_ = dir.empty() ? std::filesystem::path(".") : dir;
    std::string pattern = (dir_ / (target_.filename().string() + ".tmp.XXXXXX")).string();
    fd_ = ::mkstemp(pattern.data());
    if (fd_ < 0) fail("cannot create a temporary file in its directory");
    temp_ = pattern;
  }
  atomic_file(const atomic_file&) = delete;
  atomic_file& operator=(const atomic_file&) = delete;
  ~atomic_file() {
    if (fd_ >= 0) ::close(fd_);
    if (!committed_ && !temp_.empty()) ::unlink(temp_.c_str());
  }

  /// Appends n bytes (retries short writes and EINTR).
  void write(const void* data, std::size_t n) {
    const char* p = static_cast<const char*>(data);
    while (n > 0) {
      const ::ssize_t w = ::write(fd_, p, n);
      if (w < 0) {
        if (errno == EINTR) continue;
        fail("write failed");
      }
      p += w;
      n -= static_cast<std::size_t>(w);
    }
  }

  /// fsync, rename over the target, fsync the directory. After this the new contents are durable.
  void commit() {
    if (::fsync(fd_) != 0) fail("fsync failed");
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) fail("close failed");
    if (::rename(temp_.c_str(), target_.c_str()) != 0) fail("rename over the target failed");
    committed_ = true;
    const int dfd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY);
    if (dfd < 0) fail("cannot open the directory to fsync the rename");
    const int rc = ::fsync(dfd);
    ::close(dfd);
    if (rc != 0) fail("fsync of the directory failed");
  }

  const std::filesystem::path& temporary_path() const noexcept { return temp_; }

 private:
  [[noreturn]] void fail(const char* what) const {
    throw error(fmt::format("ctnn::io: writing '{}': {}: {}", target_.string(), what, std::strerror(errno)));
  }

  std::filesystem::path target_, dir_, temp_;
  int fd_ = -1;
  bool committed_ = false;
};

}  // namespace ctnn::io
