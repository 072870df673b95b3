#pragma once
// parse_safetensors: validates a whole safetensors file held in memory and returns its table.
//
// Format (https://github.com/huggingface/safetensors):
//   8 bytes     N, the header length, unsigned little-endian
//   N bytes     a JSON object: {"<name>": {"dtype": "F32", "shape": [2, 3], "data_offsets": [b, e]},
//               ..., "__metadata__": {"<key>": "<string value>", ...}} (may end in spaces)
//   the rest    the data: tensor <name> occupies bytes [b, e) of it, little-endian, C order.
// Checked, each failure a ctnn::error naming the source and the tensor: file shorter than 8 bytes;
// N past the end of the file or above 100 MB; malformed JSON (or not an object, duplicate keys,
// invalid UTF-8, a NUL byte); a tensor entry with a missing, unknown or mistyped field; an unknown dtype;
// shape × dtype size ≠ e − b (overflow included); b > e; offsets outside the data; tensors that
// overlap or leave gaps; bytes after the last tensor; metadata that is not string → string.
// Nothing is read outside `file`, and nothing is allocated from a size the header claims.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <map>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <ctnn/core/error.hpp>
#include <ctnn/io/dtype.hpp>

namespace ctnn::io {

struct tensor_entry {
  std::string name;
  io::dtype type = dtype::f32;
  std::vector<std::uint64_t> shape;
  std::uint64_t begin = 0, end = 0;  ///< byte offsets into the data section
};

/// "[96, 64]"
inline std::string shape_string(std::span<const std::uint64_t> shape) {
  return fmt::format("[{}]", fmt::join(shape, ", "));
}

/// A validated safetensors file: its tensors in data order, its metadata, and views of the data.
/// Non-owning: `data` points into the buffer given to parse_safetensors.
struct safetensors_view {
  std::vector<tensor_entry> tensors;
  std::map<std::string, std::string> metadata;
  std::span<const std::byte> data;

  const tensor_entry* find(std::string_view name) const noexcept {
    for (const auto& t : tensors)
      if (t.name == name) return &t;
    return nullptr;
  }
  std::span<const std::byte> bytes(const tensor_entry& t) const noexcept {
    return data.subspan(static_cast<std::size_t>(t.begin), static_cast<std::size_t>(t.end - t.begin));
  }
};

namespace detail {
[[noreturn]] inline void safetensors_fail(std::string_view source, const std::string& what) {
  throw error(fmt::format("safetensors: '{}': {}", source, what));
}
}  // namespace detail

/// Safetensors' own limit on the header (the reference implementation refuses larger ones).
inline constexpr std::uint64_t safetensors_max_header = std::uint64_t{100} << 20;

inline safetensors_view parse_safetensors(std::span<const std::byte> file, std::string_view source) {
  auto fail = [&](const std::string& what) { detail::safetensors_fail(source, what); };
  if (file.size() < 8)
    fail(fmt::format("the file has {} bytes; a safetensors file starts with an 8-byte header length", file.size()));
  std::uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<std::uint8_t>(file[static_cast<std::size_t>(i)]);
  if (n > file.size() - 8)
    fail(fmt::format("the header length {} runs past the end of the file ({} bytes after the length field; "
                     "truncated file?)", n, file.size() - 8));
  if (n > safetensors_max_header)
    fail(fmt::format("the header length {} exceeds the {}-byte limit", n, safetensors_max_header));
  if (n < 2) fail(fmt::format("the header length is {}; the JSON header needs at least '{{}}'", n));
  const char* h = reinterpret_cast<const char*>(file.data() + 8);
  if (h[0] != '{') fail("the JSON header does not start with '{'");
  // nlohmann's parser stops at a NUL as at the end of input: JSON followed by "\0garbage" parsed.
  if (const void* nul = std::memchr(h, '\0', static_cast<std::size_t>(n)))
    fail(fmt::format("the JSON header has a NUL byte at offset {}", static_cast<const char*>(nul) - h));

  // Duplicate keys: nlohmann keeps the last silently; a callback sees every key as it is parsed.
  std::vector<std::set<std::string>> open_objects;
  std::string duplicate;
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(
        h, h + n,
        [&](int, nlohmann::json::parse_event_t ev, nlohmann::json& parsed) {
          using e = nlohmann::json::parse_event_t;
          if (ev == e::object_start) open_objects.emplace_back();
          else if (ev == e::object_end && !open_objects.empty()) open_objects.pop_back();
          else if (ev == e::key && !open_objects.empty() && parsed.is_string() &&
                   !open_objects.back().insert(parsed.get_ref<const std::string&>()).second && duplicate.empty())
            duplicate = parsed.get<std::string>();
          return true;
        });
  } catch (const nlohmann::json::exception& e) {
    fail(fmt::format("malformed JSON header: {}", e.what()));
  }
  if (!duplicate.empty()) fail(fmt::format("the JSON header has the key '{}' twice", duplicate));
  if (!header.is_object()) fail("the JSON header is not an object");

  safetensors_view out;
  const std::uint64_t data_size = file.size() - 8 - n;
  out.data = file.subspan(static_cast<std::size_t>(8 + n));
  for (auto it = header.begin(); it != header.end(); ++it) {
    const std::string& name = it.key();
    const auto& v = it.value();
    if (name == "__metadata__") {
      if (!v.is_object()) fail("__metadata__ is not an object");
      for (auto m = v.begin(); m != v.end(); ++m) {
        if (!m.value().is_string()) fail(fmt::format("__metadata__ entry '{}' is not a string", m.key()));
        out.metadata.emplace(m.key(), m.value().get<std::string>());
      }
      continue;
    }
    if (!v.is_object()) fail(fmt::format("tensor '{}': its entry is not an object", name));
    for (auto f = v.begin(); f != v.end(); ++f)
      if (f.key() != "dtype" && f.key() != "shape" && f.key() != "data_offsets")
        fail(fmt::format("tensor '{}': unexpected field '{}'", name, f.key()));
    tensor_entry t;
    t.name = name;
    const auto d = v.find("dtype");
    if (d == v.end() || !d->is_string()) fail(fmt::format("tensor '{}': missing or non-string 'dtype'", name));
    const auto parsed = parse_dtype(d->get_ref<const std::string&>());
    if (!parsed) fail(fmt::format("tensor '{}': unknown dtype '{}'", name, d->get_ref<const std::string&>()));
    t.type = *parsed;
    const auto s = v.find("shape");
    if (s == v.end() || !s->is_array()) fail(fmt::format("tensor '{}': missing or non-array 'shape'", name));
    std::uint64_t elements = 1;
    bool overflow = false;
    for (const auto& dim : *s) {
      // A number is quoted as written; anything else only by its kind: dumping a nested array
      // recurses once per level, and a 400 KB header of brackets overflowed the stack.
      if (!dim.is_number_unsigned())
        fail(fmt::format("tensor '{}': shape entry {} is not a non-negative integer", name,
                         dim.is_number() ? dim.dump() : std::string("(") + dim.type_name() + ")"));
      const auto x = dim.get<std::uint64_t>();
      t.shape.push_back(x);
      if (x != 0 && elements > UINT64_MAX / x) overflow = true;
      else elements *= x;
    }
    const auto o = v.find("data_offsets");
    if (o == v.end() || !o->is_array() || o->size() != 2 || !(*o)[0].is_number_unsigned() ||
        !(*o)[1].is_number_unsigned())
      fail(fmt::format("tensor '{}': 'data_offsets' must be two non-negative integers [begin, end]", name));
    t.begin = (*o)[0].get<std::uint64_t>();
    t.end = (*o)[1].get<std::uint64_t>();
    if (t.begin > t.end) fail(fmt::format("tensor '{}': data_offsets [{}, {}] end before they begin", name, t.begin, t.end));
    if (t.end > data_size)
      fail(fmt::format("tensor '{}': data_offsets [{}, {}] run past the end of the data ({} bytes; truncated file?)",
                       name, t.begin, t.end, data_size));
    const std::uint64_t esize = dtype_size(t.type);
    if (overflow || (elements != 0 && elements > UINT64_MAX / esize) || elements * esize != t.end - t.begin)
      fail(fmt::format("tensor '{}': shape {} of {} needs {} bytes but data_offsets [{}, {}] hold {}", name,
                       shape_string(t.shape), dtype_name(t.type),
                       overflow || (elements != 0 && elements > UINT64_MAX / esize) ? std::string("more than 2^64")
                                                                                    : std::to_string(elements * esize),
                       t.begin, t.end, t.end - t.begin));
    out.tensors.push_back(std::move(t));
  }

  // The data section must be tiled exactly: sorted by offset, each tensor starts where the
  // previous one ended, the first at 0, the last at the end of the file.
  std::sort(out.tensors.begin(), out.tensors.end(),
            [](const tensor_entry& a, const tensor_entry& b) { return a.begin != b.begin ? a.begin < b.begin : a.end < b.end; });
  std::uint64_t at = 0;
  const tensor_entry* prev = nullptr;
  for (const auto& t : out.tensors) {
    if (t.begin < at)
      fail(fmt::format("tensors '{}' [{}, {}] and '{}' [{}, {}] overlap", prev->name, prev->begin, prev->end, t.name,
                       t.begin, t.end));
    if (t.begin > at)
      fail(fmt::format("{} bytes of the data section before tensor '{}' (offset {}) belong to no tensor", t.begin - at,
                       t.name, t.begin));
    at = t.end;
    prev = &t;
  }
  if (at != data_size)
    fail(fmt::format("{} bytes after the last tensor's data belong to no tensor", data_size - at));
  return out;
}

}  // namespace ctnn::io
