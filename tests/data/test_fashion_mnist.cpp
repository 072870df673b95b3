// fashion_mnist: the real data (skipped only when the directory is absent) and fake directories
// that exercise every consistency check.
#include <ctnn/data/fashion_mnist.hpp>

#include "idx_writer.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include <array>
#include <cstdlib>
#include <xtensor/xsort.hpp>

using namespace ctnn::data;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

void check_real(const labeled_dataset& d, std::size_t n, std::size_t per_class) {
  REQUIRE(d.size() == n);
  CHECK(d.features() == 784);
  CHECK(d.classes == 10);
  CHECK(d.y.size() == n);
  float lo = 1, hi = 0;
  for (float v : d.x) lo = std::min(lo, v), hi = std::max(hi, v);
  CHECK(lo == 0.0f);  // the images use the full 0..255 range
  CHECK(hi == 1.0f);
  std::array<std::size_t, 10> counts{};
  std::size_t out_of_range = 0;  // counted, not REQUIREd per label: 70000 assertions say nothing more
  for (std::int32_t label : d.y) {
    if (label < 0 || label >= 10) ++out_of_range;
    else ++counts[static_cast<std::size_t>(label)];
  }
  CHECK(out_of_range == 0);
  for (std::size_t c = 0; c < 10; ++c) {
    INFO("class " << c);
    CHECK(counts[c] == per_class);
  }
}

// A fake Fashion-MNIST directory: `n_images` blank images and `n_labels` labels, per split.
void write_fake(const fs::path& dir, const std::string& split, std::uint32_t n_images, std::uint32_t n_labels,
                std::uint32_t rows = 28, std::uint8_t label = 1) {
  std::vector<std::uint8_t> px(std::size_t{n_images} * rows * 28, 51);
  std::vector<std::uint8_t> lb(n_labels, label);
  idx_test::write(dir / (split + "-images-idx3-ubyte.gz"), idx_test::gzip(idx_test::idx(0x08, {n_images, rows, 28}, px)));
  idx_test::write(dir / (split + "-labels-idx1-ubyte.gz"), idx_test::gzip(idx_test::idx(0x08, {n_labels}, lb)));
}

}  // namespace

TEST_CASE("fashion_mnist loads the real data set", "[fashion_mnist][real]") {
  const fs::path dir = fashion_mnist::default_dir();
  if (!fs::is_directory(dir)) {
    WARN("Fashion-MNIST not found in " << dir << "; apt-get install dataset-fashion-mnist to run this test");
    return;
  }
  check_real(fashion_mnist::train(), 60000, 6000);
  check_real(fashion_mnist::test(), 10000, 1000);
}

TEST_CASE("fashion_mnist class names", "[fashion_mnist]") {
  constexpr auto names = fashion_mnist::class_names();
  STATIC_REQUIRE(names.size() == 10);
  CHECK(names[0] == "T-shirt/top");
  CHECK(names[9] == "Ankle boot");
}

TEST_CASE("fashion_mnist default_dir honours CTNN_FASHION_MNIST_DIR", "[fashion_mnist]") {
  const char* old = std::getenv("CTNN_FASHION_MNIST_DIR");
  const std::string saved = old ? old : "";
  ::setenv("CTNN_FASHION_MNIST_DIR", "/some/where", 1);
  CHECK(fashion_mnist::default_dir() == fs::path("/some/where"));
  ::unsetenv("CTNN_FASHION_MNIST_DIR");
  CHECK(fashion_mnist::default_dir() == fs::path("/usr/share/datasets/fashion-mnist"));
  if (old) ::setenv("CTNN_FASHION_MNIST_DIR", saved.c_str(), 1);
}

TEST_CASE("fashion_mnist loads a well-formed fake directory", "[fashion_mnist]") {
  idx_test::scoped_dir dir("fashion_ok");
  write_fake(dir.path, "t10k", 3, 3, 28, 9);
  const auto d = fashion_mnist::test(dir.path);
  CHECK(d.size() == 3);
  CHECK(d.features() == 784);
  CHECK(d.x(2, 783) == Approx(0.2f));
  CHECK(d.y(0) == 9);
}

TEST_CASE("fashion_mnist errors name the files, the counts and the fix", "[fashion_mnist][errors]") {
  idx_test::scoped_dir dir("fashion_bad");

  SECTION("missing directory") {
    REQUIRE_THROWS_WITH(fashion_mnist::train(dir.path / "absent"),
                        Contains("absent") && Contains("does not exist") &&
                            Contains("apt-get install dataset-fashion-mnist") && Contains("CTNN_FASHION_MNIST_DIR"));
  }
  SECTION("a file where the directory should be") {
    std::ofstream(dir.path / "plain") << "not a directory";
    REQUIRE_THROWS_WITH(fashion_mnist::train(dir.path / "plain"),
                        Contains("plain is not a directory") && Contains("CTNN_FASHION_MNIST_DIR"));
  }
  SECTION("a directory where a file should be") {
    write_fake(dir.path, "train", 2, 2);
    std::filesystem::remove(dir.path / "train-images-idx3-ubyte.gz");
    std::filesystem::create_directory(dir.path / "train-images-idx3-ubyte.gz");
    REQUIRE_THROWS_WITH(fashion_mnist::train(dir.path),
                        Contains("train-images-idx3-ubyte.gz") && Contains("is a directory, not a file"));
  }
  SECTION("missing files") {
    REQUIRE_THROWS_WITH(fashion_mnist::train(dir.path), Contains("train-images-idx3-ubyte.gz") &&
                                                            Contains("not found") &&
                                                            Contains("apt-get install dataset-fashion-mnist"));
  }
  SECTION("image and label counts differ") {
    write_fake(dir.path, "train", 5, 4);
    REQUIRE_THROWS_WITH(fashion_mnist::train(dir.path),
                        Contains("train-images-idx3-ubyte.gz holds 5 images") &&
                            Contains("train-labels-idx1-ubyte.gz holds 4 labels"));
  }
  SECTION("images that are not 28x28") {
    write_fake(dir.path, "train", 2, 2, 27);
    REQUIRE_THROWS_WITH(fashion_mnist::train(dir.path),
                        Contains("train-images-idx3-ubyte.gz") && Contains("2x27x28"));
  }
  SECTION("a label outside 0..9") {
    write_fake(dir.path, "t10k", 2, 2, 28, 10);
    REQUIRE_THROWS_WITH(fashion_mnist::test(dir.path),
                        Contains("t10k-labels-idx1-ubyte.gz") && Contains("label 0 is 10"));
  }
  SECTION("labels of the wrong type") {
    write_fake(dir.path, "t10k", 2, 2);
    idx_test::write(dir.path / "t10k-labels-idx1-ubyte.gz", idx_test::idx<std::int32_t>(0x0C, {2}, {1, 2}));
    REQUIRE_THROWS_WITH(fashion_mnist::test(dir.path), Contains("t10k-labels-idx1-ubyte.gz") && Contains("int"));
  }
  SECTION("a corrupt file names itself") {
    write_fake(dir.path, "t10k", 2, 2);
    idx_test::write(dir.path / "t10k-images-idx3-ubyte.gz", std::string("\x1f\x8b\x08", 3));
    REQUIRE_THROWS_WITH(fashion_mnist::test(dir.path), Contains("t10k-images-idx3-ubyte.gz") && Contains("gzip"));
  }
}
