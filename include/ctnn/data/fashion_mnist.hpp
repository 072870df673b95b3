#pragma once
// fashion_mnist: Zalando's Fashion-MNIST as labeled_datasets (60000 train / 10000 test samples,
// 28×28 grey images flattened to 784 features scaled to [0, 1], 10 classes, 6000/1000 per class).
//
// Files, in dir (gzip or raw; read_idx tells by content):
//   train-images-idx3-ubyte.gz  ubyte n×28×28     train-labels-idx1-ubyte.gz  ubyte n
//   t10k-images-idx3-ubyte.gz   ubyte n×28×28     t10k-labels-idx1-ubyte.gz   ubyte n
// Without the .gz suffix the uncompressed names are tried too.
// dir defaults to $CTNN_FASHION_MNIST_DIR, else /usr/share/datasets/fashion-mnist (Debian package
// dataset-fashion-mnist).
#include <ctnn/core/error.hpp>
#include <ctnn/data/dataset.hpp>
#include <ctnn/data/idx.hpp>

#include <fmt/format.h>

#include <array>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>

namespace ctnn::data::fashion_mnist {

inline constexpr std::size_t rows = 28, cols = 28, features = rows * cols, classes = 10;

/// $CTNN_FASHION_MNIST_DIR if set and non-empty, else /usr/share/datasets/fashion-mnist.
inline std::filesystem::path default_dir() {
  const char* env = std::getenv("CTNN_FASHION_MNIST_DIR");
  return env && *env ? std::filesystem::path(env) : std::filesystem::path("/usr/share/datasets/fashion-mnist");
}

/// The class names, indexed by label.
inline constexpr std::array<std::string_view, classes> class_names() noexcept {
  return {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"};
}

namespace detail {

inline constexpr const char* install_hint =
    "install it with `apt-get install dataset-fashion-mnist` or set CTNN_FASHION_MNIST_DIR to the directory "
    "holding {train,t10k}-{images-idx3,labels-idx1}-ubyte.gz";

// stem.gz, else stem (uncompressed), else an error that says how to get the data.
inline std::filesystem::path find_file(const std::filesystem::path& dir, const std::string& stem) {
  std::error_code ec;
  for (const auto& name : {stem + ".gz", stem})
    if (std::filesystem::is_regular_file(dir / name, ec)) return dir / name;
  for (const auto& name : {stem + ".gz", stem})
    if (std::filesystem::exists(dir / name, ec)) return dir / name;  // a directory, say: read_idx says what
  throw error(fmt::format("fashion_mnist: {}.gz (or uncompressed {}) not found in {}; {}", stem, stem, dir.string(), install_hint));
}

inline labeled_dataset load(const std::filesystem::path& dir, const std::string& split) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec))
    throw error(fmt::format("fashion_mnist: directory {} {}; {}", dir.string(),
                            std::filesystem::exists(dir, ec) ? "is not a directory" : "does not exist", install_hint));
  const auto images_path = find_file(dir, split + "-images-idx3-ubyte");
  const auto labels_path = find_file(dir, split + "-labels-idx1-ubyte");

  const idx_array labels = read_idx(labels_path);
  if (labels.type != idx_type::u8 || labels.dims.size() != 1)
    throw error(fmt::format("fashion_mnist: {}: expected 1-D ubyte labels, got {}-D {} shaped {}", labels_path.string(),
                            labels.dims.size(), idx_type_name(labels.type), data::detail::idx_join_dims(labels.dims)));
  const idx_array images = read_idx(images_path);
  if (images.type != idx_type::u8 || images.dims.size() != 3 || images.dims[1] != rows || images.dims[2] != cols)
    throw error(fmt::format("fashion_mnist: {}: expected ubyte images shaped n×{}×{}, got {}-D {} shaped {}",
                            images_path.string(), rows, cols, images.dims.size(), idx_type_name(images.type),
                            data::detail::idx_join_dims(images.dims)));
  const std::size_t n = images.dims[0];
  if (labels.dims[0] != n)
    throw error(fmt::format("fashion_mnist: {} holds {} images but {} holds {} labels", images_path.string(), n,
                            labels_path.string(), labels.dims[0]));

  xt::xtensor<float, 2> x = xt::empty<float>({n, features});
  const auto* px = reinterpret_cast<const std::uint8_t*>(images.bytes.data());
  float* dst = x.data();
  for (std::size_t i = 0; i < n * features; ++i) dst[i] = static_cast<float>(px[i]) * (1.0f / 255.0f);

  xt::xtensor<std::int32_t, 1> y = xt::empty<std::int32_t>({n});
  const auto* lb = reinterpret_cast<const std::uint8_t*>(labels.bytes.data());
  for (std::size_t i = 0; i < n; ++i) {
    // Checked here, not only in make_labeled, so the message names the file.
    if (lb[i] >= classes)
      throw error(fmt::format("fashion_mnist: {}: label {} is {}, expected 0..{}", labels_path.string(), i,
                              int(lb[i]), classes - 1));
    y(i) = lb[i];
  }
  return make_labeled(std::move(x), std::move(y), classes);
}

}  // namespace detail

/// The 60000 training samples.
inline labeled_dataset train(const std::filesystem::path& dir = default_dir()) { return detail::load(dir, "train"); }

/// The 10000 test samples.
inline labeled_dataset test(const std::filesystem::path& dir = default_dir()) { return detail::load(dir, "t10k"); }

}  // namespace ctnn::data::fashion_mnist
