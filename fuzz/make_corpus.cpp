// Writes the seed corpora for the fuzz targets, from valid files made by ctnn's own writers:
//   make_corpus <dir>  →  <dir>/{safetensors,npy,csv,idx}/seed_*
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>
#include <zlib.h>
#include <ctnn/core/model.hpp>
#include <ctnn/data/npy.hpp>
#include <ctnn/graph/input.hpp>
#include <ctnn/graph/residual.hpp>
#include <ctnn/graph/sequential.hpp>
#include <ctnn/io/checkpoint.hpp>
#include <ctnn/layers/activations.hpp>
#include <ctnn/layers/dense.hpp>
#include <ctnn/io/safetensors.hpp>
#include <ctnn/loss/softmax_cross_entropy.hpp>
#include <ctnn/optim/sgd.hpp>

using fuzz_net = ctnn::sequential<ctnn::input<4>, ctnn::dense<3>, ctnn::relu, ctnn::residual<ctnn::dense<2>, ctnn::dense<3>>, ctnn::dense<2>>;
namespace fs = std::filesystem;

static void put(const fs::path& p, const std::string& bytes) {
  std::ofstream f(p, std::ios::binary | std::ios::trunc);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

int main(int argc, char** argv) {
  const fs::path root = argc > 1 ? argv[1] : "corpus";
  for (const char* d : {"safetensors", "npy", "csv", "idx"}) fs::create_directories(root / d);

  ctnn::model<fuzz_net> m{ctnn::seed{1}};
  ctnn::save(m, root / "safetensors" / "seed_model");
  ctnn::model<fuzz_net, double> md{ctnn::seed{2}};
  ctnn::save(md, root / "safetensors" / "seed_model_f64");
  ctnn::trainer tr{m, ctnn::loss::softmax_cross_entropy{}, ctnn::optim::sgd{.lr = 0.1f, .momentum = 0.9f}};
  ctnn::fit_position pos;
  pos.order = {2, 0, 1, 3};
  ctnn::save_checkpoint(tr, pos, root / "safetensors" / "seed_checkpoint");

  const std::vector<float> f{1.5f, -2, 3, 4, 5, 6};
  const std::vector<std::size_t> s23{2, 3}, s6{6}, s3{3};
  ctnn::data::write_npy(root / "npy" / "seed_f32", f.data(), std::span<const std::size_t>(s23));
  const std::vector<double> d{1, 2, 3};
  ctnn::data::write_npy(root / "npy" / "seed_f64", d.data(), std::span<const std::size_t>(s3));
  const std::vector<std::int32_t> i32{1, -2, 3};
  ctnn::data::write_npy(root / "npy" / "seed_i32", i32.data(), std::span<const std::size_t>(s3));
  const std::vector<std::int64_t> i64{1, 2, 3, 4, 5, 6};
  ctnn::data::write_npy(root / "npy" / "seed_i64", i64.data(), std::span<const std::size_t>(s6));
  const std::vector<std::uint8_t> u8{0, 255, 7};
  ctnn::data::write_npy(root / "npy" / "seed_u8", u8.data(), std::span<const std::size_t>(s3));

  // csv: the first byte selects the options (fuzz_csv.cpp)
  put(root / "csv" / "seed_header", std::string(1, '\0') + "a,b,label\n1.5,-2,0\n3e2,+4,2\n");
  put(root / "csv" / "seed_plain", std::string(1, '\x10') + "1,2,3\r\n4,5,6\r\n\r\n");
  put(root / "csv" / "seed_named", std::string(1, '\x48') + "x;label;z\n1;1;2\n0.5;0;nan\n");

  // idx: a 2×3 ubyte image file, labels, a float32 file, and a gzip of the first
  const std::string images = std::string("\0\0\x08\x02\0\0\0\x02\0\0\0\x03", 12) + std::string("\x01\x02\x03\x04\x05\x06", 6);
  put(root / "idx" / "seed_ubyte", images);
  put(root / "idx" / "seed_labels", std::string("\0\0\x08\x01\0\0\0\x04\x01\x02\x03\x09", 12));
  put(root / "idx" / "seed_float", std::string("\0\0\x0d\x01\0\0\0\x02\x3f\x80\0\0\x40\0\0\0", 16));
  const std::string gz_path = (root / "idx" / "seed_gzip").string();
  gzFile gz = gzopen(gz_path.c_str(), "wb");
  gzwrite(gz, images.data(), static_cast<unsigned>(images.size()));
  gzclose(gz);
  std::printf("seed corpora written to %s\n", root.c_str());
}
