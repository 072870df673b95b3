// read_idx: round trips of every type code (raw and gzip), then every malformed input must give a
// ctnn::error naming the file and the problem, and truncation at every byte must never crash.
#include <ctnn/data/idx.hpp>

#include "idx_writer.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

using namespace ctnn::data;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

// Writes bytes to dir/name raw and dir/name.gz gzipped; returns both paths.
std::vector<fs::path> write_both(const fs::path& dir, const std::string& name, const std::string& bytes) {
  return {idx_test::write(dir / name, bytes), idx_test::write(dir / (name + ".gz"), idx_test::gzip(bytes))};
}

template <class T>
void check_round_trip(std::uint8_t code, const std::vector<T>& values) {
  idx_test::scoped_dir dir("round_trip");
  const std::vector<std::uint32_t> dims{2, static_cast<std::uint32_t>(values.size() / 2)};
  for (const auto& path : write_both(dir.path, "a.idx", idx_test::idx(code, dims, values))) {
    INFO(path.string());
    const idx_array a = read_idx(path);
    CHECK(static_cast<int>(a.type) == code);
    CHECK(a.dims == std::vector<std::size_t>{dims[0], dims[1]});
    REQUIRE(a.size() == values.size());
    CHECK(a.element_size() == sizeof(T));
    CHECK(a.bytes.size() == values.size() * sizeof(T));
    const std::vector<float> f = a.to_float();
    REQUIRE(f.size() == values.size());
    for (std::size_t i = 0; i < values.size(); ++i) {
      CHECK(f[i] == static_cast<float>(values[i]));
      CHECK(a.value(i) == static_cast<float>(values[i]));
      T raw;  // bytes are host order: memcpy must give the original value back exactly
      std::memcpy(&raw, a.bytes.data() + i * sizeof(T), sizeof(T));
      CHECK(raw == values[i]);
    }
    CHECK_THROWS_AS(a.value(values.size()), ctnn::error);
  }
}

}  // namespace

TEST_CASE("read_idx round-trips every type code, raw and gzip", "[idx]") {
  check_round_trip<std::uint8_t>(0x08, {0, 1, 127, 128, 254, 255});
  check_round_trip<std::int8_t>(0x09, {-128, -1, 0, 1, 100, 127});
  check_round_trip<std::int16_t>(0x0B, {-32768, -2, 0, 300, 4660, 32767});
  check_round_trip<std::int32_t>(0x0C, {std::numeric_limits<std::int32_t>::min(), -70000, 0, 1, 16777216, 305419896});
  check_round_trip<float>(0x0D, {-0.25f, 0.0f, 1.5f, 3.0e38f, -1e-30f, 42.0f});
  check_round_trip<double>(0x0E, {-0.5, 0.0, 1.25, 1e300, -3.0, 1e-300});
}

TEST_CASE("read_idx handles 1-D, 3-D, 8-D and empty arrays", "[idx]") {
  idx_test::scoped_dir dir("shapes");
  std::vector<std::uint8_t> v(24);
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<std::uint8_t>(i * 10);
  {
    const auto a = read_idx(idx_test::write(dir.path / "a", idx_test::idx(0x08, {2, 3, 4}, v)));
    CHECK(a.dims == std::vector<std::size_t>{2, 3, 4});
    CHECK(a.value(23) == 230.0f);
  }
  {
    const auto a = read_idx(idx_test::write(dir.path / "b", idx_test::idx(0x08, {24}, v)));
    CHECK(a.dims == std::vector<std::size_t>{24});
  }
  {
    const auto a = read_idx(idx_test::write(dir.path / "c", idx_test::idx(0x08, {1, 2, 1, 3, 1, 2, 2, 1}, v)));
    CHECK(a.dims.size() == 8);
    CHECK(a.size() == 24);
  }
  for (const auto& p : write_both(dir.path, "empty", idx_test::header(0x0C, {0, 0xFFFFFFFFu, 0xFFFFFFFFu}))) {
    const auto a = read_idx(p);  // a zero dimension makes the product 0, however large the others
    CHECK(a.size() == 0);
    CHECK(a.dims == std::vector<std::size_t>{0, 0xFFFFFFFFu, 0xFFFFFFFFu});
  }
}

TEST_CASE("read_idx detects gzip by content, not by name", "[idx]") {
  idx_test::scoped_dir dir("magic");
  const std::string raw = idx_test::idx<std::uint8_t>(0x08, {3}, {7, 8, 9});
  const auto gz_named_raw = idx_test::write(dir.path / "looks.gz", raw);
  const auto raw_named_gz = idx_test::write(dir.path / "looks.idx", idx_test::gzip(raw));
  CHECK(read_idx(gz_named_raw).to_float() == std::vector<float>{7, 8, 9});
  CHECK(read_idx(raw_named_gz).to_float() == std::vector<float>{7, 8, 9});
}

TEST_CASE("read_idx accepts concatenated gzip members", "[idx]") {
  idx_test::scoped_dir dir("members");
  const std::string raw = idx_test::idx<std::uint8_t>(0x08, {6}, {1, 2, 3, 4, 5, 6});
  const auto p = idx_test::write(dir.path / "two.gz", idx_test::gzip(raw.substr(0, 7)) + idx_test::gzip(raw.substr(7)));
  CHECK(read_idx(p).to_float() == std::vector<float>{1, 2, 3, 4, 5, 6});
}

TEST_CASE("read_idx reports missing and unreadable files", "[idx][errors]") {
  idx_test::scoped_dir dir("missing");
  const auto missing = dir.path / "nope-images.idx";
  REQUIRE_THROWS_WITH(read_idx(missing), Contains("nope-images.idx") && Contains("does not exist"));
  fs::create_directory(dir.path / "a_dir.idx");
  REQUIRE_THROWS_WITH(read_idx(dir.path / "a_dir.idx"), Contains("a_dir.idx") && Contains("is a directory"));
  if (::geteuid() != 0) {  // root reads anything, so only an ordinary user can see the permission error
    const auto locked = idx_test::write(dir.path / "locked.idx", idx_test::idx<std::uint8_t>(0x08, {1}, {1}));
    fs::permissions(locked, fs::perms::none);
    REQUIRE_THROWS_WITH(read_idx(locked), Contains("locked.idx") && Contains("cannot open"));
  }
}

TEST_CASE("read_idx reports every malformed header with its numbers", "[idx][errors]") {
  idx_test::scoped_dir dir("header");
  const std::string ok = idx_test::idx<std::int16_t>(0x0B, {2, 3}, {1, 2, 3, 4, 5, 6});

  SECTION("empty and short files") {
    for (const auto& p : write_both(dir.path, "empty.idx", ""))
      REQUIRE_THROWS_WITH(read_idx(p), Contains(p.filename().string()) && Contains("file has 0 bytes") &&
                                           Contains("at least 4"));
    for (const auto& p : write_both(dir.path, "short.idx", std::string("\0\0\x08", 3)))
      REQUIRE_THROWS_WITH(read_idx(p), Contains(p.filename().string()) && Contains("file has 3 bytes"));
  }
  SECTION("wrong magic") {
    std::string bad = ok;
    bad[0] = '\x01';
    for (const auto& p : write_both(dir.path, "magic.idx", bad))
      REQUIRE_THROWS_WITH(read_idx(p), Contains(p.filename().string()) && Contains("bad magic") &&
                                           Contains("0x01 0x00"));
    bad = ok;
    bad[1] = '\x08';
    REQUIRE_THROWS_WITH(read_idx(idx_test::write(dir.path / "magic2.idx", bad)), Contains("0x00 0x08"));
  }
  SECTION("unknown type code") {
    for (std::uint8_t code : {0x00, 0x07, 0x0A, 0x0F, 0xFF}) {
      std::string bad = ok;
      bad[2] = static_cast<char>(code);
      for (const auto& p : write_both(dir.path, "type.idx", bad))
        REQUIRE_THROWS_WITH(read_idx(p), Contains(p.filename().string()) && Contains("unknown IDX type code") &&
                                             Contains(fmt::format("{:#04x}", code)));
    }
  }
  SECTION("zero or too many dimensions") {
    for (const auto& p : write_both(dir.path, "zero_dims.idx", idx_test::header(0x08, {})))
      REQUIRE_THROWS_WITH(read_idx(p), Contains(p.filename().string()) && Contains("declares 0 dimensions"));
    const auto nine = idx_test::idx<std::uint8_t>(0x08, {1, 1, 1, 1, 1, 1, 1, 1, 1}, {5});
    for (const auto& p : write_both(dir.path, "nine_dims.idx", nine))
      REQUIRE_THROWS_WITH(read_idx(p), Contains(p.filename().string()) && Contains("declares 9 dimensions") &&
                                           Contains("1 to 8"));
    std::string many = ok;
    many[3] = '\xff';
    REQUIRE_THROWS_WITH(read_idx(idx_test::write(dir.path / "255_dims.idx", many)), Contains("declares 255 dimensions"));
  }
  SECTION("truncated dimension sizes") {
    for (const auto& p : write_both(dir.path, "dims.idx", ok.substr(0, 9)))
      REQUIRE_THROWS_WITH(read_idx(p), Contains(p.filename().string()) && Contains("truncated IDX header") &&
                                           Contains("2 dimensions need 8 bytes of sizes, file has 5"));
  }
  SECTION("dimensions whose product overflows or exceeds the limit") {
    const auto huge = idx_test::header(0x08, {0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu});
    for (const auto& p : write_both(dir.path, "overflow.idx", huge))
      REQUIRE_THROWS_WITH(read_idx(p), Contains(p.filename().string()) &&
                                           Contains("4294967295x4294967295x4294967295x4294967295") &&
                                           Contains("more than 2147483648 elements"));
    const auto big = idx_test::header(0x0E, {65536, 32769});  // 2^31 + 2^16 elements
    for (const auto& p : write_both(dir.path, "big.idx", big))
      REQUIRE_THROWS_WITH(read_idx(p), Contains(p.filename().string()) && Contains("65536x32769") &&
                                           Contains("more than 2147483648 elements"));
  }
}

TEST_CASE("read_idx reports truncated data and trailing garbage with byte counts", "[idx][errors]") {
  idx_test::scoped_dir dir("data");
  const std::string ok = idx_test::idx<std::int32_t>(0x0C, {2, 3}, {1, 2, 3, 4, 5, 6});  // 24 data bytes

  SECTION("truncated data") {
    for (const auto& p : write_both(dir.path, "short_data.idx", ok.substr(0, ok.size() - 4)))
      REQUIRE_THROWS_WITH(read_idx(p), Contains(p.filename().string()) &&
                                           Contains("expected 24 bytes of data, file has 20"));
    for (const auto& p : write_both(dir.path, "no_data.idx", ok.substr(0, 12)))
      REQUIRE_THROWS_WITH(read_idx(p), Contains("expected 24 bytes of data, file has 0"));
  }
  SECTION("a header claiming 2^31 elements over a tiny file fails fast, without allocating them") {
    const auto claim = idx_test::header(0x08, {32768, 65536}) + std::string(10, '\x01');
    for (const auto& p : write_both(dir.path, "claim.idx", claim))
      REQUIRE_THROWS_WITH(read_idx(p), Contains(p.filename().string()) &&
                                           Contains("expected 2147483648 bytes of data, file has 10"));
  }
  SECTION("trailing garbage") {
    for (const auto& p : write_both(dir.path, "trailing.idx", ok + "abc"))
      REQUIRE_THROWS_WITH(read_idx(p), Contains(p.filename().string()) && Contains("3 bytes of trailing garbage") &&
                                           Contains("after the 24 bytes of IDX data"));
  }
}

TEST_CASE("read_idx reports corrupt and truncated gzip streams", "[idx][errors]") {
  idx_test::scoped_dir dir("gzip");
  std::vector<std::uint8_t> v(300);
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<std::uint8_t>(i * 7 % 251);
  const std::string gz = idx_test::gzip(idx_test::idx(0x08, {300}, v));

  SECTION("bad compression method in the gzip header") {
    std::string bad = gz;
    bad[2] = '\x07';
    const auto p = idx_test::write(dir.path / "method.gz", bad);
    REQUIRE_THROWS_WITH(read_idx(p), Contains("method.gz") && Contains("corrupt gzip stream"));
  }
  SECTION("CRC mismatch") {
    std::string bad = gz;
    bad[bad.size() - 8] = static_cast<char>(bad[bad.size() - 8] ^ 0x55);
    const auto p = idx_test::write(dir.path / "crc.gz", bad);
    REQUIRE_THROWS_WITH(read_idx(p), Contains("crc.gz") && Contains("corrupt gzip stream") && Contains("check"));
  }
  SECTION("stream cut short") {
    const auto p = idx_test::write(dir.path / "cut.gz", gz.substr(0, gz.size() / 2));
    REQUIRE_THROWS_WITH(read_idx(p), Contains("cut.gz") && Contains("gzip stream ends early"));
    const auto q = idx_test::write(dir.path / "no_trailer.gz", gz.substr(0, gz.size() - 8));
    REQUIRE_THROWS_WITH(read_idx(q), Contains("no_trailer.gz") && Contains("gzip stream ends early after 308"));
  }
  SECTION("garbage after the gzip stream") {
    const auto p = idx_test::write(dir.path / "after.gz", gz + "junk!");
    REQUIRE_THROWS_WITH(read_idx(p), Contains("after.gz") && Contains("5 bytes of trailing garbage after the gzip"));
  }
}

TEST_CASE("read_idx truncated at every byte throws ctnn::error, raw and gzip", "[idx][errors][fuzz]") {
  idx_test::scoped_dir dir("every_byte");
  const std::string raw = idx_test::idx<std::int16_t>(0x0B, {2, 2, 3}, {1, -2, 3, -4, 5, -6, 7, -8, 9, -10, 11, -12});
  const std::string gz = idx_test::gzip(raw);
  const auto p = dir.path / "cut.idx";
  REQUIRE_NOTHROW(read_idx(idx_test::write(p, raw)));
  REQUIRE_NOTHROW(read_idx(idx_test::write(p, gz)));
  for (const std::string* whole : {&raw, &gz}) {
    for (std::size_t n = 0; n < whole->size(); ++n) {
      INFO((whole == &raw ? "raw" : "gzip") << " truncated to " << n << " of " << whole->size() << " bytes");
      idx_test::write(p, whole->substr(0, n));
      REQUIRE_THROWS_AS(read_idx(p), ctnn::error);
    }
  }
}

TEST_CASE("read_idx with any single byte flipped either succeeds or throws ctnn::error", "[idx][errors][fuzz]") {
  idx_test::scoped_dir dir("flip");
  const std::string raw = idx_test::idx<float>(0x0D, {3, 2}, {1, 2, 3, 4, 5, 6});
  const auto p = dir.path / "flip.idx";
  for (const std::string& whole : {raw, idx_test::gzip(raw)}) {
    for (std::size_t i = 0; i < whole.size(); ++i) {
      for (unsigned char mask : {0x01, 0x80, 0xFF}) {
        std::string bad = whole;
        bad[i] = static_cast<char>(bad[i] ^ mask);
        idx_test::write(p, bad);
        INFO("byte " << i << " ^ " << int(mask));
        try {
          const auto a = read_idx(p);
          CHECK(a.bytes.size() == a.size() * a.element_size());
        } catch (const ctnn::error&) {
          // expected for most positions
        }
      }
    }
  }
}
