// io::atomic_file gives the file it writes the permissions a plain open would: the umask's for a
// new file, the old file's when it replaces one. It used to create every file 0600 (mkstemp).
#include <catch2/catch.hpp>
#include <filesystem>
#include <string>
#include <ctnn/io/atomic_file.hpp>
#include <sys/stat.h>
#include "io/io_support.hpp"

namespace {
::mode_t mode_of(const std::filesystem::path& p) {
  struct ::stat st {};
  REQUIRE(::stat(p.c_str(), &st) == 0);
  return st.st_mode & 07777;
}
void write_file(const std::filesystem::path& p, const std::string& text) {
  ctnn::io::atomic_file f{p};
  f.write(text.data(), text.size());
  f.commit();
}
/// Sets the umask for one scope (the test runs single-threaded).
struct scoped_umask {
  ::mode_t old;
  explicit scoped_umask(::mode_t m) : old(::umask(m)) {}
  ~scoped_umask() { ::umask(old); }
};
}  // namespace

TEST_CASE("a written file has the permissions a plain open would give it", "[io][atomic]") {
  ctnn_test::scratch_dir dir("atomic_mode");
  {
    scoped_umask u(022);
    write_file(dir / "a", "one");
    CHECK(mode_of(dir / "a") == 0644);
  }
  {
    scoped_umask u(077);
    write_file(dir / "b", "one");
    CHECK(mode_of(dir / "b") == 0600);
    // Replacing a file keeps its permissions, whatever the umask.
    REQUIRE(::chmod((dir / "a").c_str(), 0640) == 0);
    write_file(dir / "a", "two");
    CHECK(mode_of(dir / "a") == 0640);
    CHECK(ctnn_test::read_bytes(dir / "a") == "two");
  }
  // Nothing but the two files is left behind.
  int files = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir.path)) ++files;
  CHECK(files == 2);
}

TEST_CASE("an uncommitted atomic_file leaves the target untouched and no temporary", "[io][atomic]") {
  ctnn_test::scratch_dir dir("atomic_abort");
  write_file(dir / "t", "kept");
  {
    ctnn::io::atomic_file f{dir / "t"};
    f.write("lost", 4);
    CHECK(std::filesystem::exists(f.temporary_path()));
  }
  CHECK(ctnn_test::read_bytes(dir / "t") == "kept");
  int files = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir.path)) ++files;
  CHECK(files == 1);
}
