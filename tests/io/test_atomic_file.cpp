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

TEST_CASE("a symbolic link is written through; a target that is not a regular file is an error", "[io][atomic]") {
  ctnn_test::scratch_dir dir("atomic_links");
  std::filesystem::create_directories(dir / "real");
  write_file(dir / "real" / "m.bin", "old");
  std::filesystem::create_symlink("real/m.bin", dir / "link.bin");           // relative
  std::filesystem::create_symlink(dir / "link.bin", dir / "link2.bin");      // a link to the link
  write_file(dir / "link2.bin", "new");
  CHECK(std::filesystem::is_symlink(dir / "link.bin"));  // the links stay links
  CHECK(std::filesystem::is_symlink(dir / "link2.bin"));
  CHECK(ctnn_test::read_bytes(dir / "real" / "m.bin") == "new");  // and their file is the one replaced
  std::filesystem::create_symlink("real/fresh.bin", dir / "dangling.bin");
  write_file(dir / "dangling.bin", "made");
  CHECK(ctnn_test::read_bytes(dir / "real" / "fresh.bin") == "made");

  // A FIFO stands in for a device such as /dev/null, which the rename replaced (as root).
  REQUIRE(::mkfifo((dir / "fifo").c_str(), 0644) == 0);
  CHECK_THROWS_WITH(write_file(dir / "fifo", "x"), Catch::Contains("not a regular file"));
  CHECK_THROWS_WITH(write_file(dir / "real", "x"), Catch::Contains("it is a directory"));
  std::filesystem::create_symlink("fifo", dir / "to_fifo");
  CHECK_THROWS_WITH(write_file(dir / "to_fifo", "x"), Catch::Contains("not a regular file"));
  CHECK(std::filesystem::is_fifo(dir / "fifo"));
  std::size_t files = 0;  // no temporary left behind
  for (const auto& e : std::filesystem::directory_iterator(dir.path))
    files += e.path().filename().string().find(".tmp.") != std::string::npos;
  CHECK(files == 0);
}
