// .npy: round trips for every supported type, a file as NumPy writes it, and malformed headers.
#include <catch2/catch.hpp>
#include <cstring>
#include <ctnn/data/npy.hpp>
#include "io/io_support.hpp"

namespace {
std::string npy_error(const std::string& bytes) {
  try {
    ctnn::data::parse_npy(std::as_bytes(std::span(bytes.data(), bytes.size())), "a.npy");
  } catch (const ctnn::error& e) {
    return e.what();
  }
  return "no error";
}
std::string with_header(const std::string& dict, const std::string& data, int major = 1) {
  std::string s = "\x93NUMPY";
  s += static_cast<char>(major);
  s += '\0';
  for (int i = 0; i < (major == 1 ? 2 : 4); ++i) s += static_cast<char>((dict.size() >> (8 * i)) & 0xff);
  return s + dict + data;
}

template <class T>
void round_trip(const ctnn_test::scratch_dir& dir) {
  std::vector<T> v(2 * 3 * 4);
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<T>(i * 7 % 23);
  const std::vector<std::size_t> shape{2, 3, 4};
  ctnn::data::write_npy(dir / "r.npy", v.data(), std::span<const std::size_t>(shape));
  const std::string raw = ctnn_test::read_bytes(dir / "r.npy");
  CHECK((raw.size() - v.size() * sizeof(T)) % 64 == 0);  // header padded as NumPy pads it
  const auto a = ctnn::data::read_npy(dir / "r.npy");
  CHECK(a.type == ctnn::data::npy_type_of<T>());
  CHECK(a.shape == shape);
  CHECK(a.as<T>() == v);
}
}  // namespace

TEST_CASE("npy: write then read every element type", "[io][npy]") {
  ctnn_test::scratch_dir dir("npy");
  round_trip<float>(dir);
  round_trip<double>(dir);
  round_trip<std::int32_t>(dir);
  round_trip<std::int64_t>(dir);
  round_trip<std::uint8_t>(dir);
  xt::xtensor<float, 1> curve = {0.5f, 0.25f, 0.125f};
  ctnn::data::write_npy(dir / "curve.npy", curve);
  const auto c = ctnn::data::read_npy(dir / "curve.npy");
  CHECK(c.shape == std::vector<std::size_t>{3});
  CHECK(c.as<float>() == std::vector<float>{0.5f, 0.25f, 0.125f});
  const std::string raw = ctnn_test::read_bytes(dir / "curve.npy");
  CHECK(raw.find("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }") == 10);
}

TEST_CASE("npy: a file as numpy.save writes it, scalars, big-endian, labeled datasets", "[io][npy]") {
  // np.save(f, np.array([[1, 2, 3], [4, 5, 6]], dtype='<i8')) with NumPy 1.24
  std::string dict = "{'descr': '<i8', 'fortran_order': False, 'shape': (2, 3), }";
  dict.append(118 - dict.size() - 1, ' ');
  dict += '\n';
  std::string data;
  for (std::int64_t v = 1; v <= 6; ++v) data.append(reinterpret_cast<const char*>(&v), 8);
  const std::string file = with_header(dict, data);
  REQUIRE(file.size() == 128 + 48);
  const auto a = ctnn::data::parse_npy(std::as_bytes(std::span(file.data(), file.size())), "np.npy");
  CHECK(a.shape == std::vector<std::size_t>{2, 3});
  CHECK(a.as<float>() == std::vector<float>{1, 2, 3, 4, 5, 6});

  const std::string scalar = with_header("{'descr': '>f8', 'fortran_order': False, 'shape': ()}\n",
                                         std::string("\x3f\xf8\0\0\0\0\0\0", 8), 2);  // 1.5 big-endian, version 2.0
  const auto s = ctnn::data::parse_npy(std::as_bytes(std::span(scalar.data(), scalar.size())), "s.npy");
  CHECK(s.shape.empty());
  CHECK(s.as<double>() == std::vector<double>{1.5});

  ctnn_test::scratch_dir dir("npy_ds");
  const std::vector<std::uint8_t> x{0, 1, 2, 3, 4, 5, 6, 7};
  const std::vector<std::int64_t> y{0, 2};
  const std::vector<std::size_t> xs{2, 2, 2}, ys{2};
  ctnn::data::write_npy(dir / "x.npy", x.data(), std::span<const std::size_t>(xs));
  ctnn::data::write_npy(dir / "y.npy", y.data(), std::span<const std::size_t>(ys));
  const auto d = ctnn::data::read_npy_labeled(dir / "x.npy", dir / "y.npy", 3);
  CHECK(d.features() == 4);
  CHECK(d.x(1, 3) == 7.0f);
  CHECK(d.y(1) == 2);
  CHECK_THROWS_WITH(ctnn::data::read_npy_labeled(dir / "x.npy", dir / "y.npy", 2),
                    Catch::Contains("y.npy: label [1] = 2 is out of range [0, 2)"));
  CHECK_THROWS_WITH(ctnn::data::read_npy_labeled(dir / "y.npy", dir / "x.npy", 2), Catch::Contains("labels must be 1-D"));
}

TEST_CASE("npy: malformed files are clear errors", "[io][npy]") {
  const std::string ok_dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }\n";
  const std::string eight(8, '\0');
  CHECK(npy_error(with_header(ok_dict, eight)) == "no error");
  CHECK_THAT(npy_error(""), Catch::Contains("a.npy: the file has 0 bytes"));
  CHECK_THAT(npy_error("PK\x03\x04 not npy at all"), Catch::Contains("bad magic"));
  CHECK_THAT(npy_error("\x93NUMPY\x01"), Catch::Contains("truncated: the file has 7 bytes"));
  CHECK_THAT(npy_error(with_header(ok_dict, eight).substr(0, 20)), Catch::Contains("runs past the end"));
  CHECK_THAT(npy_error(with_header(ok_dict, eight.substr(0, 7))), Catch::Contains("needs 8 bytes of data, the file has 7"));
  CHECK_THAT(npy_error(with_header(ok_dict, eight + "x")), Catch::Contains("the file has 9"));
  CHECK_THAT(npy_error(with_header(ok_dict, eight, 4)), Catch::Contains("unsupported .npy version 4.0"));
  CHECK_THAT(npy_error(with_header("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", eight)),
             Catch::Contains("unsupported dtype '<c8'"));
  CHECK_THAT(npy_error(with_header("{'descr': '<f4', 'fortran_order': True, 'shape': (2,), }", eight)),
             Catch::Contains("fortran_order is True"));
  CHECK_THAT(npy_error(with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }", eight)),
             Catch::Contains("expected a non-negative integer dimension"));
  CHECK_THAT(npy_error(with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': 1}", eight)),
             Catch::Contains("unexpected key 'x'"));
  CHECK_THAT(npy_error(with_header("{'descr': '<f4', 'fortran_order': False}", eight)), Catch::Contains("needs 'descr', 'fortran_order' and 'shape'"));
  CHECK_THAT(npy_error(with_header("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,)}", eight)),
             Catch::Contains("duplicate key 'descr'"));
  CHECK_THAT(npy_error(with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (2,)", eight)), Catch::Contains("expected '}'"));
  CHECK_THAT(npy_error(with_header("{'descr': '<f4, 'fortran_order': False, 'shape': (2,)}", eight)), Catch::Contains("bad header"));
  CHECK_THAT(npy_error(with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296, 4294967296,)}", eight)),
             Catch::Contains("more than 2^64"));
  CHECK_THAT(npy_error(with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999999,)}", eight)),
             Catch::Contains("dimension too large"));
  // every truncation of a valid file fails cleanly
  const std::string good = with_header(ok_dict, eight);
  for (std::size_t n = 0; n < good.size(); ++n) {
    INFO(n);
    CHECK(npy_error(good.substr(0, n)) != "no error");
  }
}
