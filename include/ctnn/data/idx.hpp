#pragma once
// read_idx: reads an IDX file (the MNIST / Fashion-MNIST container), raw or gzip-compressed.
//
// Format (every integer big-endian):
//   bytes 0-1   0x00 0x00 (the magic)
//   byte  2     type code: 0x08 ubyte, 0x09 signed byte, 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64
//   byte  3     number of dimensions d (1..8 accepted)
//   then        d uint32 dimension sizes
//   then        prod(dims) elements of that type, big-endian, row-major, and nothing after them.
// Compression is detected by the gzip magic 1f 8b, never by the file name; concatenated gzip
// members are accepted (gzip(1) produces them), anything else after the stream is an error.
//
// The result keeps the elements as raw bytes in host byte order, so a 60000×28×28 ubyte image file
// stays 47 MB instead of 188 MB of float; to_float() and value(i) convert (int32 beyond 2^24 and
// float64 lose precision there, as any float conversion does).
//
// Every bad input throws ctnn::error naming the file and the problem with its numbers. A header
// never drives an allocation by itself: the data is read in chunks and the buffer only grows with
// bytes actually present, so a 20-byte file claiming 2^31 elements fails fast and cheaply.
#include <ctnn/core/error.hpp>

#include <zlib.h>
#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace ctnn::data {

/// The IDX element type codes.
enum class idx_type : std::uint8_t { u8 = 0x08, i8 = 0x09, i16 = 0x0B, i32 = 0x0C, f32 = 0x0D, f64 = 0x0E };

/// At most this many dimensions (MNIST uses 1 and 3; more is a corrupt header, not a real file).
inline constexpr std::size_t idx_max_dims = 8;
/// At most this many elements (2^31: 2 GiB of ubyte, 16 GiB of double; far above any IDX file in use).
inline constexpr std::uint64_t idx_max_elements = std::uint64_t{1} << 31;

/// Bytes per element of type t, 0 for a code that is not an IDX type.
constexpr std::size_t idx_element_size(idx_type t) noexcept {
  switch (t) {
    case idx_type::u8: case idx_type::i8: return 1;
    case idx_type::i16: return 2;
    case idx_type::i32: case idx_type::f32: return 4;
    case idx_type::f64: return 8;
  }
  return 0;
}

/// "ubyte", "byte", "short", "int", "float", "double" (the names the IDX description uses).
constexpr const char* idx_type_name(idx_type t) noexcept {
  switch (t) {
    case idx_type::u8: return "ubyte";
    case idx_type::i8: return "byte";
    case idx_type::i16: return "short";
    case idx_type::i32: return "int";
    case idx_type::f32: return "float";
    case idx_type::f64: return "double";
  }
  return "unknown";
}

/// An IDX file's contents: type, dims, and the elements as raw bytes in host byte order.
struct idx_array {
  idx_type type = idx_type::u8;
  std::vector<std::size_t> dims;
  std::vector<std::byte> bytes;  // size() * element_size() bytes, row-major, host byte order

  std::size_t element_size() const noexcept { return idx_element_size(type); }
  std::size_t size() const noexcept { return bytes.size() / element_size(); }

  /// Element i (row-major flat index) as float; throws ctnn::error when i >= size().
  float value(std::size_t i) const {
    if (i >= size()) throw error(fmt::format("idx_array::value: index {} out of range (size {})", i, size()));
    float out = 0;
    convert(i, 1, &out);
    return out;
  }

  /// Every element as float, row-major.
  std::vector<float> to_float() const {
    std::vector<float> out(size());
    convert(0, out.size(), out.data());
    return out;
  }

 private:
  template <class T>
  static void convert_as(const std::byte* p, std::size_t n, float* out) noexcept {
    for (std::size_t i = 0; i < n; ++i) {
      T v;  // memcpy: bytes has no alignment or aliasing guarantee for T
      std::memcpy(&v, p + i * sizeof(T), sizeof(T));
      out[i] = static_cast<float>(v);
    }
  }
  void convert(std::size_t first, std::size_t n, float* out) const noexcept {
    const std::byte* p = bytes.data() + first * element_size();
    switch (type) {
      case idx_type::u8: convert_as<std::uint8_t>(p, n, out); break;
      case idx_type::i8: convert_as<std::int8_t>(p, n, out); break;
      case idx_type::i16: convert_as<std::int16_t>(p, n, out); break;
      case idx_type::i32: convert_as<std::int32_t>(p, n, out); break;
      case idx_type::f32: convert_as<float>(p, n, out); break;
      case idx_type::f64: convert_as<double>(p, n, out); break;
    }
  }
};

namespace detail {

// A byte stream over a raw or gzip file that throws ctnn::error (naming the file) on every failure.
// read() returns fewer bytes than asked only at the clean end of the data.
class idx_source {
 public:
  explicit idx_source(const std::filesystem::path& path) : path_(path) {
    std::error_code ec;
    const auto st = std::filesystem::status(path, ec);
    if (!std::filesystem::exists(st)) fail("file does not exist");
    if (std::filesystem::is_directory(st)) fail("is a directory, not a file");
    file_.reset(std::fopen(path.c_str(), "rb"));
    if (!file_) fail(fmt::format("cannot open file: {}", std::strerror(errno)));
    const auto sz = std::filesystem::file_size(path, ec);
    file_size_ = ec ? UINT64_MAX : static_cast<std::uint64_t>(sz);

    unsigned char magic[2] = {0, 0};
    const std::size_t got = std::fread(magic, 1, 2, file_.get());
    check_io();
    gzip_ = got == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
    if (std::fseek(file_.get(), 0, SEEK_SET) != 0) fail(fmt::format("cannot seek: {}", std::strerror(errno)));
    if (gzip_) {
      in_.resize(std::size_t{1} << 16);
      zs_ = std::make_unique<z_stream>();
      zs_->next_in = in_.data();
      zs_->avail_in = 0;
      if (inflateInit2(zs_.get(), 16 + MAX_WBITS) != Z_OK) {  // 16+: gzip wrapper only, CRC checked
        zs_.reset();
        fail("cannot initialise zlib");
      }
    }
  }
  ~idx_source() {
    if (zs_) inflateEnd(zs_.get());
  }
  idx_source(const idx_source&) = delete;
  idx_source& operator=(const idx_source&) = delete;

  bool gzip() const noexcept { return gzip_; }

  // Upper bound on the bytes read() can still deliver; deflate never expands more than ~1032:1.
  std::uint64_t bound() const noexcept {
    if (file_size_ == UINT64_MAX) return UINT64_MAX;
    return gzip_ ? (file_size_ > UINT64_MAX / 1100 ? UINT64_MAX : file_size_ * 1100 + 1024) : file_size_;
  }

  std::size_t read(std::byte* dst, std::size_t n) {
    if (!gzip_) {
      const std::size_t got = std::fread(dst, 1, n, file_.get());
      check_io();
      return got;
    }
    std::size_t done = 0;
    while (done < n && !ended_) {
      if (zs_->avail_in == 0 && !eof_) fill(1);
      const std::size_t want = std::min<std::size_t>(n - done, UINT_MAX);
      zs_->next_out = reinterpret_cast<Bytef*>(dst + done);
      zs_->avail_out = static_cast<uInt>(want);
      const int rc = inflate(zs_.get(), Z_NO_FLUSH);
      const std::size_t produced = want - zs_->avail_out;
      done += produced;
      produced_ += produced;
      switch (rc) {
        case Z_OK: break;
        case Z_STREAM_END: member_end(); break;
        case Z_BUF_ERROR:  // no progress possible: inflate wants input the file no longer has
          if (zs_->avail_in == 0 && eof_)
            fail(fmt::format("gzip stream ends early after {} decompressed bytes (truncated .gz file)", produced_));
          break;
        case Z_MEM_ERROR: fail("zlib is out of memory");
        default:  // Z_DATA_ERROR (bad deflate data, CRC or length mismatch), Z_NEED_DICT, Z_STREAM_ERROR
          fail(fmt::format("corrupt gzip stream after {} decompressed bytes: {}", produced_,
                           zs_->msg ? zs_->msg : "unknown zlib error"));
      }
    }
    return done;
  }

  // Drains the stream and returns how many bytes were left; for gzip this also verifies the CRC.
  // Counting stops past 2^30 bytes: only the message needs the number.
  std::uint64_t count_rest() {
    if (!gzip_ && file_size_ != UINT64_MAX) {
      const long pos = std::ftell(file_.get());
      return pos < 0 || static_cast<std::uint64_t>(pos) > file_size_ ? 0 : file_size_ - static_cast<std::uint64_t>(pos);
    }
    std::vector<std::byte> scratch(std::size_t{1} << 16);
    std::uint64_t total = 0;
    for (std::size_t got; (got = read(scratch.data(), scratch.size())) > 0 && total <= (std::uint64_t{1} << 30);)
      total += got;
    return total;
  }

  [[noreturn]] void fail(const std::string& what) const {
    throw error(fmt::format("read_idx: {}: {}", path_.string(), what));
  }

 private:
  struct closer {
    void operator()(std::FILE* f) const noexcept { std::fclose(f); }
  };

  void check_io() const {
    if (std::ferror(file_.get())) fail(fmt::format("read error: {}", std::strerror(errno)));
  }

  // Makes at least `need` compressed bytes available (fewer only at end of file).
  void fill(std::size_t need) {
    if (zs_->avail_in > 0 && zs_->next_in != in_.data()) std::memmove(in_.data(), zs_->next_in, zs_->avail_in);
    zs_->next_in = in_.data();
    while (zs_->avail_in < need && !eof_) {
      const std::size_t got = std::fread(in_.data() + zs_->avail_in, 1, in_.size() - zs_->avail_in, file_.get());
      check_io();
      if (got == 0) eof_ = true;
      zs_->avail_in += static_cast<uInt>(got);
    }
  }

  // One gzip member is done: the file ends, another member follows, or it is garbage.
  void member_end() {
    fill(2);
    if (zs_->avail_in == 0) {
      ended_ = true;
    } else if (zs_->avail_in >= 2 && zs_->next_in[0] == 0x1f && zs_->next_in[1] == 0x8b) {
      inflateReset(zs_.get());
    } else {
      const long pos = std::ftell(file_.get());
      const std::uint64_t left = zs_->avail_in + (file_size_ != UINT64_MAX && pos >= 0
                                                      ? file_size_ - static_cast<std::uint64_t>(pos) : 0);
      fail(fmt::format("{} bytes of trailing garbage after the gzip stream", left));
    }
  }

  std::filesystem::path path_;
  std::unique_ptr<std::FILE, closer> file_;
  std::uint64_t file_size_ = 0;
  bool gzip_ = false;
  std::vector<unsigned char> in_;
  std::unique_ptr<z_stream> zs_;
  bool eof_ = false, ended_ = false;
  std::uint64_t produced_ = 0;
};

inline std::string idx_join_dims(const std::vector<std::size_t>& dims) {
  std::string s;
  for (std::size_t i = 0; i < dims.size(); ++i) {
    if (i) s += 'x';
    s += std::to_string(dims[i]);
  }
  return s;
}

}  // namespace detail

/// Reads the IDX file at path (raw or gzip). Throws ctnn::error on every malformed input.
inline idx_array read_idx(const std::filesystem::path& path) {
  detail::idx_source src(path);
  const char* unit = src.gzip() ? " (decompressed)" : "";

  unsigned char header[4];
  const std::size_t got = src.read(reinterpret_cast<std::byte*>(header), 4);
  if (got < 4) src.fail(fmt::format("file has {} bytes{}; an IDX header needs at least 4", got, unit));
  if (header[0] != 0 || header[1] != 0)
    src.fail(fmt::format("bad magic: the first two bytes are {:#04x} {:#04x}, expected 0x00 0x00 (not an IDX file?)",
                         header[0], header[1]));
  const auto type = static_cast<idx_type>(header[2]);
  if (idx_element_size(type) == 0)
    src.fail(fmt::format("unknown IDX type code {:#04x} (known: 0x08 ubyte, 0x09 byte, 0x0b short, 0x0c int, "
                         "0x0d float, 0x0e double)", header[2]));
  const std::size_t ndims = header[3];
  if (ndims == 0 || ndims > idx_max_dims)
    src.fail(fmt::format("IDX header declares {} dimensions; 1 to {} are accepted", ndims, idx_max_dims));

  unsigned char raw_dims[4 * idx_max_dims];
  const std::size_t dim_bytes = src.read(reinterpret_cast<std::byte*>(raw_dims), 4 * ndims);
  if (dim_bytes < 4 * ndims)
    src.fail(fmt::format("truncated IDX header: {} dimensions need {} bytes of sizes, file has {}{}", ndims,
                         4 * ndims, dim_bytes, unit));

  idx_array out;
  out.type = type;
  out.dims.resize(ndims);
  bool any_zero = false;
  for (std::size_t d = 0; d < ndims; ++d) {
    const unsigned char* p = raw_dims + 4 * d;
    out.dims[d] = (std::size_t{p[0]} << 24) | (std::size_t{p[1]} << 16) | (std::size_t{p[2]} << 8) | p[3];
    any_zero = any_zero || out.dims[d] == 0;
  }
  // Saturating product: stop as soon as it passes the limit so nothing can overflow.
  std::uint64_t elements = any_zero ? 0 : 1;
  for (std::size_t d = 0; d < ndims && !any_zero; ++d) {
    elements *= out.dims[d];  // <= 2^31 * (2^32 - 1): fits
    if (elements > idx_max_elements)
      src.fail(fmt::format("IDX dimensions {} hold more than {} elements (the limit)", detail::idx_join_dims(out.dims),
                           idx_max_elements));
  }

  const std::size_t esize = idx_element_size(type);
  const std::uint64_t expected = elements * esize;
  // Reserve at most 64 MiB on the header's word (Fashion-MNIST's largest file is 47 MB); beyond
  // that the buffer grows only with bytes actually read, so a lying header cannot allocate much.
  out.bytes.reserve(static_cast<std::size_t>(std::min<std::uint64_t>({expected, src.bound(), std::uint64_t{64} << 20})));
  constexpr std::size_t chunk = std::size_t{1} << 20;
  while (out.bytes.size() < expected) {
    const std::size_t old = out.bytes.size();
    const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(chunk, expected - old));
    out.bytes.resize(old + want);  // grows geometrically, and only with bytes actually present
    const std::size_t n = src.read(out.bytes.data() + old, want);
    if (n < want)
      src.fail(fmt::format("truncated IDX data: expected {} bytes of data, file has {}{} ({} {} elements shaped {})",
                           expected, old + n, unit, elements, idx_type_name(type), detail::idx_join_dims(out.dims)));
  }
  if (const std::uint64_t rest = src.count_rest(); rest > 0)
    src.fail(fmt::format("{}{} bytes of trailing garbage after the {} bytes of IDX data (shaped {})",
                         rest > (std::uint64_t{1} << 30) ? "more than " : "", rest, expected,
                         detail::idx_join_dims(out.dims)));

  // IDX is big-endian; convert once here so every accessor can memcpy.
  if constexpr (std::endian::native == std::endian::little) {
    if (esize > 1)
      for (std::byte* p = out.bytes.data(); p != out.bytes.data() + out.bytes.size(); p += esize) std::reverse(p, p + esize);
  }
  return out;
}

}  // namespace ctnn::data
