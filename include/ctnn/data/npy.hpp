#pragma once
// .npy arrays in and out (NumPy format versions 1.0, 2.0 and 3.0), for datasets, probes and
// experiment results. Element types: float32 '<f4', float64 '<f8', int32 '<i4', int64 '<i8',
// uint8 '|u1'; big-endian ('>') files are byte-swapped; C order only.
//
// Layout: "\x93NUMPY", major, minor, header length (u16 LE for 1.x, u32 LE for 2.x/3.x), then an
// ASCII Python dict literal {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), } padded
// with spaces and a '\n', then the data. parse_npy checks the magic, the version, the dict's
// syntax and keys (exactly descr, fortran_order, shape), the dtype, the shape (overflow included)
// and that the data is exactly as long as the shape says; every failure is a ctnn::error naming
// the source. Nothing is allocated from a size the header claims before the bytes are there.
//
//   auto a = ctnn::data::read_npy("x.npy");          // a.shape, a.as<float>()
//   ctnn::data::write_npy("curve.npy", losses);       // any xtensor expression (row-major)
#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>
#include <fmt/format.h>
#include <xtensor/xtensor.hpp>
#include <ctnn/core/error.hpp>
#include <ctnn/data/dataset.hpp>
#include <ctnn/io/atomic_file.hpp>
#include <ctnn/io/read_file.hpp>

namespace ctnn::data {

enum class npy_type : std::uint8_t { f32, f64, i32, i64, u8 };

constexpr std::size_t npy_type_size(npy_type t) noexcept {
  switch (t) {
    case npy_type::f32: case npy_type::i32: return 4;
    case npy_type::f64: case npy_type::i64: return 8;
    case npy_type::u8: return 1;
  }
  return 0;
}
constexpr const char* npy_descr(npy_type t) noexcept {
  switch (t) {
    case npy_type::f32: return "<f4";
    case npy_type::f64: return "<f8";
    case npy_type::i32: return "<i4";
    case npy_type::i64: return "<i8";
    case npy_type::u8: return "|u1";
  }
  return "?";
}
template <class T>
constexpr npy_type npy_type_of() noexcept {
  if constexpr (std::is_same_v<T, float>) return npy_type::f32;
  else if constexpr (std::is_same_v<T, double>) return npy_type::f64;
  else if constexpr (std::is_same_v<T, std::int32_t>) return npy_type::i32;
  else if constexpr (std::is_same_v<T, std::int64_t>) return npy_type::i64;
  else if constexpr (std::is_same_v<T, std::uint8_t>) return npy_type::u8;
  else static_assert(sizeof(T) == 0, "ctnn::data npy: element type must be float, double, int32, int64 or uint8");
}

/// A .npy array: its type, shape and elements as raw bytes (host order, C order).
struct npy_array {
  npy_type type = npy_type::f32;
  std::vector<std::size_t> shape;
  std::vector<std::byte> bytes;

  std::size_t size() const noexcept { return bytes.size() / npy_type_size(type); }

  /// Every element converted to T (static_cast), row-major.
  template <class T>
  std::vector<T> as() const {
    std::vector<T> out(size());
    auto conv = [&]<class U>(U) {
      for (std::size_t i = 0; i < out.size(); ++i) {
        U v;
        std::memcpy(&v, bytes.data() + i * sizeof(U), sizeof(U));
        out[i] = static_cast<T>(v);
      }
    };
    switch (type) {
      case npy_type::f32: conv(float{}); break;
      case npy_type::f64: conv(double{}); break;
      case npy_type::i32: conv(std::int32_t{}); break;
      case npy_type::i64: conv(std::int64_t{}); break;
      case npy_type::u8: conv(std::uint8_t{}); break;
    }
    return out;
  }
};

namespace detail {

// A cursor over the header's Python dict literal.
struct npy_header_parser {
  std::string_view s;
  std::string_view source;
  std::size_t i = 0;

  [[noreturn]] void fail(std::string_view what) const {
    throw error(fmt::format("read_npy: {}: bad header: {} at character {} of '{}'", source, what, i,
                            s.size() > 200 ? std::string(s.substr(0, 200)) + "..." : std::string(s)));
  }
  void skip_ws() {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) ++i;
  }
  bool eat(char c) {
    skip_ws();
    if (i < s.size() && s[i] == c) return ++i, true;
    return false;
  }
  void expect(char c) {
    if (!eat(c)) fail(fmt::format("expected '{}'", c));
  }
  std::string_view string_literal() {
    skip_ws();
    if (i >= s.size() || (s[i] != '\'' && s[i] != '"')) fail("expected a quoted string");
    const char q = s[i++];
    const std::size_t start = i;
    while (i < s.size() && s[i] != q) {
      if (s[i] == '\\') fail("escape sequences are not supported");
      ++i;
    }
    if (i >= s.size()) fail("unterminated string");
    return s.substr(start, i++ - start);
  }
  bool boolean() {
    skip_ws();
    if (s.substr(i, 4) == "True") return i += 4, true;
    if (s.substr(i, 5) == "False") return i += 5, false;
    fail("expected True or False");
  }
  std::vector<std::size_t> tuple() {
    expect('(');
    std::vector<std::size_t> dims;
    while (!eat(')')) {
      skip_ws();
      if (i >= s.size() || s[i] < '0' || s[i] > '9') fail("expected a non-negative integer dimension");
      std::uint64_t v = 0;
      while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
        if (v > (UINT64_MAX - 9) / 10) fail("dimension too large");
        v = v * 10 + static_cast<std::uint64_t>(s[i++] - '0');
      }
      if (s.size() > i && s[i] == 'L') ++i;  // Python 2 long suffix
      dims.push_back(static_cast<std::size_t>(v));
      if (dims.size() > 32) fail("more than 32 dimensions");
      if (!eat(',')) {
        expect(')');
        break;
      }
    }
    return dims;
  }
};

}  // namespace detail

/// Parses a whole .npy file held in memory.
inline npy_array parse_npy(std::span<const std::byte> file, std::string_view source) {
  auto fail = [&](const std::string& what) { throw error(fmt::format("read_npy: {}: {}", source, what)); };
  const auto* u = reinterpret_cast<const unsigned char*>(file.data());
  if (file.size() < 6 || std::memcmp(u, "\x93NUMPY", 6) != 0)
    fail(file.size() < 6 ? fmt::format("the file has {} bytes; too short for the .npy magic", file.size())
                         : std::string("bad magic: not a .npy file (it must start with \\x93NUMPY)"));
  if (file.size() < 10) fail(fmt::format("truncated: the file has {} bytes, the .npy header needs at least 10", file.size()));
  const unsigned major = u[6], minor = u[7];
  if (major < 1 || major > 3 || minor != 0) fail(fmt::format("unsupported .npy version {}.{} (1.0, 2.0, 3.0 are read)", major, minor));
  std::size_t header_len = 0, start = 0;
  if (major == 1) {
    header_len = std::size_t{u[8]} | (std::size_t{u[9]} << 8);
    start = 10;
  } else {
    if (file.size() < 12) fail("truncated header length");
    header_len = std::size_t{u[8]} | (std::size_t{u[9]} << 8) | (std::size_t{u[10]} << 16) | (std::size_t{u[11]} << 24);
    start = 12;
  }
  if (header_len > file.size() - start)
    fail(fmt::format("the header length {} runs past the end of the file ({} bytes; truncated?)", header_len, file.size()));

  detail::npy_header_parser p{std::string_view(reinterpret_cast<const char*>(u + start), header_len), source};
  std::string_view descr;
  bool fortran = false, have_descr = false, have_fortran = false, have_shape = false;
  std::vector<std::size_t> shape;
  p.expect('{');
  while (!p.eat('}')) {
    const auto key = p.string_literal();
    p.expect(':');
    if (key == "descr") {
      if (have_descr) p.fail("duplicate key 'descr'");
      descr = p.string_literal();
      have_descr = true;
    } else if (key == "fortran_order") {
      if (have_fortran) p.fail("duplicate key 'fortran_order'");
      fortran = p.boolean();
      have_fortran = true;
    } else if (key == "shape") {
      if (have_shape) p.fail("duplicate key 'shape'");
      shape = p.tuple();
      have_shape = true;
    } else {
      p.fail(fmt::format("unexpected key '{}'", key));
    }
    if (!p.eat(',')) {
      p.expect('}');
      break;
    }
  }
  p.skip_ws();
  if (p.i != p.s.size()) p.fail("unexpected characters after the dict");
  if (!have_descr || !have_fortran || !have_shape) p.fail("the dict needs 'descr', 'fortran_order' and 'shape'");
  if (fortran) fail("fortran_order is True; only C-order arrays are read");

  npy_array out;
  bool swap = false;
  if (descr.size() == 3 && (descr[0] == '<' || descr[0] == '>' || descr[0] == '|' || descr[0] == '=')) {
    const std::string_view t = descr.substr(1);
    if (t == "f4") out.type = npy_type::f32;
    else if (t == "f8") out.type = npy_type::f64;
    else if (t == "i4") out.type = npy_type::i32;
    else if (t == "i8") out.type = npy_type::i64;
    else if (t == "u1") out.type = npy_type::u8;
    else fail(fmt::format("unsupported dtype '{}' (float32, float64, int32, int64, uint8 are read)", descr));
    if (descr[0] == '|' && out.type != npy_type::u8) fail(fmt::format("dtype '{}' needs a byte order", descr));
    swap = descr[0] == (std::endian::native == std::endian::little ? '>' : '<');
  } else {
    fail(fmt::format("unsupported dtype '{}' (float32, float64, int32, int64, uint8 are read)", descr));
  }
  const std::size_t esize = npy_type_size(out.type);
  std::uint64_t elements = 1;
  bool overflow = false;
  for (const auto d : shape) {
    if (d != 0 && elements > UINT64_MAX / esize / d) overflow = true;
    else elements *= d;
  }
  const std::size_t data_bytes = file.size() - start - header_len;
  if (overflow || elements * esize != data_bytes)
    fail(fmt::format("shape ({}) of '{}' needs {} bytes of data, the file has {}", fmt::join(shape, ", "), descr,
                     overflow ? std::string("more than 2^64") : std::to_string(elements * esize), data_bytes));
  out.shape = std::move(shape);
  const auto* data = file.data() + start + header_len;
  out.bytes.assign(data, data + data_bytes);
  if (swap && esize > 1)
    for (std::size_t k = 0; k < out.bytes.size(); k += esize) std::reverse(out.bytes.begin() + k, out.bytes.begin() + k + esize);
  return out;
}

inline npy_array read_npy(const std::filesystem::path& path) {
  const auto bytes = io::read_file(path, "read_npy");
  return parse_npy(bytes, path.string());
}

/// The .npy bytes for `count` elements of T shaped `shape` (version 1.0, or 2.0 for huge headers).
template <class T>
std::string npy_bytes(const T* data, std::span<const std::size_t> shape) {
  static_assert(std::endian::native == std::endian::little, "ctnn npy writer: little-endian hosts only");
  std::string dict = fmt::format("{{'descr': '{}', 'fortran_order': False, 'shape': ({}{}), }}", npy_descr(npy_type_of<T>()),
                                 fmt::join(shape, ", "), shape.size() == 1 ? "," : "");
  std::size_t count = 1;
  for (auto d : shape) count *= d;
  const bool v2 = dict.size() + 65 > 65535;  // the u16 length field of 1.0 must hold the padded dict
  const std::size_t pre = v2 ? 12 : 10;
  dict.append((64 - (pre + dict.size() + 1) % 64) % 64, ' ');
  dict += '\n';
  std::string out = "\x93NUMPY";
  out += static_cast<char>(v2 ? 2 : 1);
  out += '\0';
  for (std::size_t i = 0; i < (v2 ? 4u : 2u); ++i) out += static_cast<char>((dict.size() >> (8 * i)) & 0xff);
  out += dict;
  out.append(reinterpret_cast<const char*>(data), count * sizeof(T));
  return out;
}

/// Writes an array atomically (io::atomic_file).
template <class T>
void write_npy(const std::filesystem::path& path, const T* data, std::span<const std::size_t> shape) {
  const std::string bytes = npy_bytes(data, shape);
  io::atomic_file f(path);
  f.write(bytes.data(), bytes.size());
  f.commit();
}

/// Writes any xtensor expression (evaluated row-major, element type as the expression's).
template <class E>
void write_npy(const std::filesystem::path& path, const xt::xexpression<E>& expr) {
  using T = typename E::value_type;
  const xt::xarray<T, xt::layout_type::row_major> a = expr.derived_cast();
  const std::vector<std::size_t> shape(a.shape().begin(), a.shape().end());
  write_npy(path, a.data(), std::span<const std::size_t>(shape));
}

/// A labeled_dataset from x.npy ([n, features...] of any type read_npy reads, flattened per sample
/// and converted to float) and y.npy ([n], integer labels in [0, classes)).
inline labeled_dataset read_npy_labeled(const std::filesystem::path& x_path, const std::filesystem::path& y_path,
                                        std::size_t classes) {
  const auto xa = read_npy(x_path);
  const auto ya = read_npy(y_path);
  if (xa.shape.empty()) throw error(fmt::format("read_npy: {}: x must have a sample dimension, it is a scalar", x_path.string()));
  if (ya.shape.size() != 1)
    throw error(fmt::format("read_npy: {}: labels must be 1-D [n], shape is ({})", y_path.string(), fmt::join(ya.shape, ", ")));
  if (ya.type == npy_type::f32 || ya.type == npy_type::f64)
    throw error(fmt::format("read_npy: {}: labels must be integers, the dtype is {}", y_path.string(), npy_descr(ya.type)));
  const std::size_t n = xa.shape[0], features = n ? xa.size() / n : 0;
  if (ya.shape[0] != n)
    throw error(fmt::format("read_npy: {} has {} samples but {} has {} labels", x_path.string(), n, y_path.string(), ya.shape[0]));
  const auto labels = ya.as<std::int64_t>();
  for (std::size_t i = 0; i < n; ++i)
    if (labels[i] < 0 || static_cast<std::uint64_t>(labels[i]) >= classes)
      throw error(fmt::format("read_npy: {}: label [{}] = {} is out of range [0, {})", y_path.string(), i, labels[i], classes));
  xt::xtensor<float, 2> x = xt::empty<float>({n, features});
  const auto xv = xa.as<float>();
  std::copy(xv.begin(), xv.end(), x.begin());
  xt::xtensor<std::int32_t, 1> y = xt::empty<std::int32_t>({n});
  std::transform(labels.begin(), labels.end(), y.begin(), [](std::int64_t v) { return static_cast<std::int32_t>(v); });
  return make_labeled(std::move(x), std::move(y), classes);
}

}  // namespace ctnn::data
