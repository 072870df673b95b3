// ctnn::save / ctnn::load: round trip, PyTorch-compatible header, and every malformed-file case.
#include <catch2/catch.hpp>
#include <cstring>
#include <nlohmann/json.hpp>
#include <ctnn/ctnn.hpp>
#include <ctnn/io/safetensors.hpp>
#include "io/io_support.hpp"

namespace {

using net = ctnn::sequential<ctnn::input<12>, ctnn::dense<7>, ctnn::relu,
                             ctnn::residual<ctnn::dense<5>, ctnn::gelu, ctnn::dense<7>>, ctnn::dense<3>>;
using model_f = ctnn::model<net, float>;
using other_net = ctnn::sequential<ctnn::input<12>, ctnn::dense<8>, ctnn::relu,
                                   ctnn::residual<ctnn::dense<5>, ctnn::gelu, ctnn::dense<8>>, ctnn::dense<3>>;

nlohmann::json header_of(const std::string& bytes) {
  std::uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<unsigned char>(bytes[static_cast<std::size_t>(i)]);
  return nlohmann::json::parse(bytes.substr(8, n));
}

std::string load_error(const std::filesystem::path& p) {
  model_f m{ctnn::seed{1}};
  const std::vector<float> before(m.parameters().begin(), m.parameters().end());
  try {
    ctnn::load(m, p);
  } catch (const ctnn::error& e) {
    // a failed load leaves the model as it was
    CHECK(std::memcmp(before.data(), m.parameters().data(), before.size() * sizeof(float)) == 0);
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("save then load restores every parameter bitwise", "[io][safetensors]") {
  ctnn_test::scratch_dir dir("st_roundtrip");
  model_f a{ctnn::seed{3}};
  ctnn::save(a, dir / "m.safetensors");
  model_f b{ctnn::seed{4}};
  REQUIRE(std::memcmp(a.parameters().data(), b.parameters().data(), model_f::parameter_count * sizeof(float)) != 0);
  ctnn::load(b, dir / "m.safetensors");
  CHECK(std::memcmp(a.parameters().data(), b.parameters().data(), model_f::parameter_count * sizeof(float)) == 0);

  ctnn::model<net, double> ad{ctnn::seed{3}}, bd{ctnn::seed{5}};
  ctnn::save(ad, dir / "d.safetensors");
  ctnn::load(bd, dir / "d.safetensors");
  CHECK(std::memcmp(ad.parameters().data(), bd.parameters().data(), ad.parameter_count * sizeof(double)) == 0);
  // no temporary left behind
  std::size_t files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.path)) files += e.is_regular_file();
  CHECK(files == 2);
}

TEST_CASE("the header carries PyTorch state_dict names, shapes and dtypes, stored densely", "[io][safetensors]") {
  ctnn_test::scratch_dir dir("st_header");
  model_f m{ctnn::seed{3}};
  ctnn::save(m, dir / "m.safetensors");
  const std::string bytes = ctnn_test::read_bytes(dir / "m.safetensors");
  const auto h = header_of(bytes);
  // nn.Sequential(Linear(12,7), ReLU(), Residual(Sequential(Linear(7,5), GELU(), Linear(5,7))), Linear(7,3))
  const std::vector<std::pair<std::string, std::vector<std::uint64_t>>> expected = {
      {"0.weight", {7, 12}}, {"0.bias", {7}}, {"2.0.weight", {5, 7}}, {"2.0.bias", {5}},
      {"2.2.weight", {7, 5}}, {"2.2.bias", {7}}, {"3.weight", {3, 7}}, {"3.bias", {3}}};
  std::uint64_t total = 0;
  for (const auto& [name, shape] : expected) {
    INFO(name);
    REQUIRE(h.contains(name));
    CHECK(h[name]["dtype"] == "F32");
    CHECK(h[name]["shape"].get<std::vector<std::uint64_t>>() == shape);
    const auto off = h[name]["data_offsets"].get<std::vector<std::uint64_t>>();
    std::uint64_t elements = 1;
    for (auto d : shape) elements *= d;
    CHECK(off[1] - off[0] == elements * 4);
    total += elements * 4;
    // the bytes are the parameter, row-major [out, in]
    std::uint64_t hlen = 0;
    for (int i = 7; i >= 0; --i) hlen = (hlen << 8) | static_cast<unsigned char>(bytes[static_cast<std::size_t>(i)]);
    const auto view = m.parameter(name);
    CHECK(std::memcmp(bytes.data() + 8 + hlen + off[0], &*view.begin(), elements * 4) == 0);
  }
  CHECK(h.size() == expected.size() + 1);
  CHECK(h["__metadata__"]["ctnn_version"] == ctnn::version);
  const std::string sig = h["__metadata__"]["network"];
  CHECK(sig.find("input<12>") == 0);
  CHECK(sig.find("0.weight [7, 12]") != std::string::npos);
  std::uint64_t hlen = 0;
  for (int i = 7; i >= 0; --i) hlen = (hlen << 8) | static_cast<unsigned char>(bytes[static_cast<std::size_t>(i)]);
  CHECK(hlen % 8 == 0);
  CHECK(bytes.size() == 8 + hlen + total);  // dense: no arena padding
}

TEST_CASE("loading a different network names each missing, extra and mis-shaped tensor", "[io][safetensors]") {
  ctnn_test::scratch_dir dir("st_mismatch");
  ctnn::model<other_net> o{ctnn::seed{1}};
  ctnn::save(o, dir / "o.safetensors");
  const std::string e = load_error(dir / "o.safetensors");
  CHECK_THAT(e, Catch::Contains("tensor '0.weight' has shape [8, 12], expected [7, 12]"));
  CHECK_THAT(e, Catch::Contains("tensor '3.weight' has shape [3, 8], expected [3, 7]"));
  CHECK_THAT(e, Catch::Contains("o.safetensors"));

  ctnn::model<net, double> d{ctnn::seed{1}};
  ctnn::save(d, dir / "d.safetensors");
  CHECK_THAT(load_error(dir / "d.safetensors"), Catch::Contains("tensor '0.bias' has dtype F64, expected F32"));

  // hand-made: one tensor missing, one extra
  model_f m{ctnn::seed{1}};
  std::vector<ctnn::io::tensor_source> ts;
  ctnn::io::append_arena<model_f>(ts, m.parameters().data(), "");
  ts.erase(ts.begin() + 3);  // 2.0.bias
  float extra[2] = {1, 2};
  ts.push_back({"4.weight", ctnn::io::dtype::f32, {2}, extra, sizeof extra});
  ctnn::io::write_safetensors(dir / "x.safetensors", ts);
  const std::string x = load_error(dir / "x.safetensors");
  CHECK_THAT(x, Catch::Contains("missing tensor '2.0.bias' (expected F32 [5])"));
  CHECK_THAT(x, Catch::Contains("unexpected tensor '4.weight' (F32 [2])"));
}

TEST_CASE("malformed safetensors files are clear errors", "[io][safetensors]") {
  ctnn_test::scratch_dir dir("st_malformed");
  const auto p = dir / "bad.safetensors";
  auto expect = [&](const std::string& bytes, const std::string& fragment) {
    ctnn_test::write_bytes(p, bytes);
    const std::string e = load_error(p);
    INFO(e);
    CHECK_THAT(e, Catch::Contains(fragment));
    CHECK_THAT(e, Catch::Contains("bad.safetensors"));
  };
  using ctnn_test::safetensors_bytes;
  expect("", "the file has 0 bytes");
  expect("abc", "the file has 3 bytes");
  expect(std::string("\xff\xff\xff\xff\xff\xff\xff\x7f", 8) + "{}", "runs past the end of the file");
  expect(safetensors_bytes("{}", "").substr(0, 9), "runs past the end");
  expect(safetensors_bytes("{\"a\": ", ""), "malformed JSON header");
  expect(safetensors_bytes("[1, 2]", ""), "does not start with '{'");
  expect(safetensors_bytes("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}\x01", "abcd"), "malformed JSON");
  expect(safetensors_bytes(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", "abcd"),
         "the key 'a' twice");
  expect(safetensors_bytes(R"({"a":{"dtype":"Q7","shape":[1],"data_offsets":[0,4]}})", "abcd"), "unknown dtype 'Q7'");
  expect(safetensors_bytes(R"({"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})", "abcd"), "not a non-negative integer");
  expect(safetensors_bytes(R"({"a":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}})", "abcd"), "not a non-negative integer");
  // A shape entry nested 200,000 arrays deep: named by its kind, in a short message (quoting it
  // recursed once per level and overflowed the stack).
  {
    const std::string nested = std::string(200'000, '[') + std::string(200'000, ']');
    ctnn_test::write_bytes(p, safetensors_bytes(R"({"a":{"dtype":"F32","shape":[)" + nested +
                                                    R"(],"data_offsets":[0,4]}})",
                                                "abcd"));
    const std::string e = load_error(p);
    CHECK_THAT(e, Catch::Contains("shape entry (array) is not a non-negative integer"));
    CHECK(e.size() < 300);
  }
  expect(safetensors_bytes(R"({"a":{"dtype":"F32","shape":[1]}})", "abcd"), "'data_offsets' must be two");
  expect(safetensors_bytes(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"x":1}})", "abcd"), "unexpected field 'x'");
  expect(safetensors_bytes(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}})", "abcd"), "end before they begin");
  expect(safetensors_bytes(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", "ab"), "run past the end of the data (2 bytes");
  expect(safetensors_bytes(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,18446744073709551615]}})", "abcd"), "run past the end");
  expect(safetensors_bytes(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}})", "abcd"), "shape [2] of F32 needs 8 bytes");
  expect(safetensors_bytes(R"({"a":{"dtype":"F32","shape":[4294967296,4294967296,16],"data_offsets":[0,4]}})", "abcd"),
         "more than 2^64");
  expect(safetensors_bytes(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
                           "abcdefgh"),
         "overlap");
  expect(safetensors_bytes(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", "abcdefgh"),
         "4 bytes of the data section before tensor 'a'");
  expect(safetensors_bytes(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", "abcdefgh"),
         "4 bytes after the last tensor");
  expect(safetensors_bytes(R"({"__metadata__":{"k":1}})", ""), "__metadata__ entry 'k' is not a string");
  // JSON, then a NUL and garbage: the JSON parser stopped at the NUL and accepted the file.
  expect(safetensors_bytes(std::string(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})") +
                               std::string(1, '\0') + " not JSON",
                           "abcd"),
         "NUL byte at offset 54");
  CHECK_THAT(load_error(dir / "does_not_exist.safetensors"), Catch::Contains("file does not exist"));
  CHECK_THAT(load_error(dir.path), Catch::Contains("is a directory"));
}

TEST_CASE("a model file truncated at any byte fails with ctnn::error", "[io][safetensors]") {
  ctnn_test::scratch_dir dir("st_truncate");
  model_f m{ctnn::seed{3}};
  ctnn::save(m, dir / "m.safetensors");
  const std::string bytes = ctnn_test::read_bytes(dir / "m.safetensors");
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    ctnn_test::write_bytes(dir / "t.safetensors", bytes.substr(0, n));
    INFO("truncated to " << n << " of " << bytes.size() << " bytes");
    CHECK(load_error(dir / "t.safetensors") != "no error");
  }
}

#if __has_include(<ctnn/norm/batch_norm.hpp>)
#include <ctnn/norm/batch_norm.hpp>
TEST_CASE("normalization buffers are saved and loaded as torch's BatchNorm1d names them", "[io][safetensors]") {
  using bn_net = ctnn::sequential<ctnn::input<5>, ctnn::norm::batch_norm<>, ctnn::dense<3>>;
  using bn_model = ctnn::model<bn_net>;
  ctnn_test::scratch_dir dir("st_buffers");
  bn_model a{ctnn::seed{1}};
  for (const auto& d : bn_model::buffer_slots)  // slot regions only: the padding between them is not saved
    for (std::size_t i = 0; i < d.size(); ++i) a.buffers()[d.offset + i] = 0.25f * static_cast<float>(d.offset + i + 1);
  ctnn::save(a, dir / "bn.safetensors");
  const auto h = header_of(ctnn_test::read_bytes(dir / "bn.safetensors"));
  CHECK(h["0.running_mean"]["shape"] == nlohmann::json::array({5}));
  CHECK(h["0.running_var"]["dtype"] == "F32");
  CHECK(h["0.num_batches_tracked"]["dtype"] == "I64");
  CHECK(h["0.num_batches_tracked"]["shape"] == nlohmann::json::array());
  bn_model b{ctnn::seed{2}};
  ctnn::load(b, dir / "bn.safetensors");
  CHECK(std::memcmp(a.buffers().data(), b.buffers().data(), a.buffers().size() * sizeof(float)) == 0);
  CHECK(std::memcmp(a.parameters().data(), b.parameters().data(), a.parameters().size() * sizeof(float)) == 0);
}
#endif
