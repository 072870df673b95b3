#pragma once
// atomic_file: writes a file so that readers only ever see the old contents or the complete new
// ones, even if the process is killed or the machine loses power mid-write.
//   1. create a temporary file "<name>.tmp.XXXXXX" in the target's directory (same filesystem,
//      so rename is atomic), with the permissions a plain open would give the target: the
//      target's own if it exists, else 0666 less the umask (mkstemp's fixed 0600 made every
//      saved model private),
//   2. write, flush, fsync(file),
//   3. rename(temp, target), fsync(directory) so the rename itself is durable.
// Destroying an atomic_file that was not committed removes the temporary. A signal that ends the
// process between 1 and 3 (SIGKILL, or Ctrl-C's SIGINT with no handler) leaves a stray
// "<name>.tmp.*" next to an intact target.
// A target that is a symbolic link is written through it, as a plain open would: its final target
// is the file replaced (renaming onto the link replaced the link and left its file stale). A target
// that exists and is not a regular file (a directory, a device such as /dev/null, a FIFO) is an
// error: the rename would replace it.
//
//   ctnn::io::atomic_file f{"model.safetensors"};
//   f.write(bytes.data(), bytes.size());
//   f.commit();
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <fmt/format.h>
#include <ctnn/core/error.hpp>

namespace ctnn::io {

class atomic_file {
 public:
  explicit atomic_file(std::filesystem::path target) : target_(std::move(target)), dest_(target_) {
    if (target_.filename().empty())
      throw error(fmt::format("ctnn::io: cannot write '{}': the path names no file", target_.string()));
    resolve_links();
    std::filesystem::path dir = dest_.parent_path();
    dir_ = dir.empty() ? std::filesystem::path(".") : dir;
    // O_CREAT | O_EXCL with mode 0666 lets the kernel apply the umask (reading the umask needs
    // umask(), which sets it too and so races with other threads creating files).
    const std::string stem = (dir_ / (dest_.filename().string() + ".tmp.")).string();
    std::random_device entropy;
    for (int attempt = 0; fd_ < 0; ++attempt) {
      std::string name = stem;
      for (std::uint32_t bits = entropy(), i = 0; i < 6; ++i, bits /= 62)
        name += "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"[bits % 62];
      fd_ = ::open(name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
      if (fd_ >= 0) temp_ = std::move(name);
      else if (errno != EEXIST || attempt == 100) fail("cannot create a temporary file in its directory");
    }
    struct ::stat existing;
    if (::stat(dest_.c_str(), &existing) == 0 && S_ISREG(existing.st_mode) &&
        ::fchmod(fd_, existing.st_mode & 07777) != 0) {
      const int e = errno;  // the destructor does not run when the constructor throws
      ::close(fd_);
      ::unlink(temp_.c_str());
      errno = e;
      fail("cannot give the temporary file the target's permissions");
    }
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
    if (::rename(temp_.c_str(), dest_.c_str()) != 0) fail("rename over the target failed");
    committed_ = true;
    const int dfd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY);
    if (dfd < 0) fail("cannot open the directory to fsync the rename");
    const int rc = ::fsync(dfd);
    ::close(dfd);
    if (rc != 0) fail("fsync of the directory failed");
  }

  const std::filesystem::path& temporary_path() const noexcept { return temp_; }

 private:
  /// dest_: the target with its symbolic links followed (a dangling link names the file to create);
  /// an existing non-regular file there is an error.
  void resolve_links() {
    for (int hops = 0;; ++hops) {
      struct ::stat link;
      if (::lstat(dest_.c_str(), &link) != 0 || !S_ISLNK(link.st_mode)) break;
      if (hops == 40) {
        errno = ELOOP;
        fail("cannot follow its symbolic links");
      }
      std::error_code ec;
      const std::filesystem::path to = std::filesystem::read_symlink(dest_, ec);
      if (ec) {
        errno = ec.value();
        fail("cannot read its symbolic link");
      }
      dest_ = to.is_absolute() ? to : dest_.parent_path() / to;
    }
    struct ::stat existing;
    if (::stat(dest_.c_str(), &existing) == 0 && !S_ISREG(existing.st_mode))
      throw error(fmt::format("ctnn::io: cannot write '{}': it is {}, not a regular file (files are written to a "
                              "temporary and renamed over the target, which would replace it)",
                              target_.string(), S_ISDIR(existing.st_mode) ? "a directory" : "a device, FIFO or socket"));
  }

  [[noreturn]] void fail(const char* what) const {
    throw error(fmt::format("ctnn::io: writing '{}': {}: {}", target_.string(), what, std::strerror(errno)));
  }

  std::filesystem::path target_, dest_, dir_, temp_;  ///< as given, with links followed, its directory
  int fd_ = -1;
  bool committed_ = false;
};

}  // namespace ctnn::io
