#pragma once
// dtype: the element types of the safetensors format, with their names ("F32") and sizes.
// dtype_of<T>() maps a C++ element type to its dtype.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <type_traits>

namespace ctnn::io {

enum class dtype : std::uint8_t { boolean, u8, i8, i16, u16, f16, bf16, i32, u32, f32, f64, i64, u64 };

inline constexpr std::pair<dtype, std::string_view> dtype_names[] = {
    {dtype::boolean, "BOOL"}, {dtype::u8, "U8"},   {dtype::i8, "I8"},     {dtype::i16, "I16"}, {dtype::u16, "U16"},
    {dtype::f16, "F16"},      {dtype::bf16, "BF16"}, {dtype::i32, "I32"}, {dtype::u32, "U32"}, {dtype::f32, "F32"},
    {dtype::f64, "F64"},      {dtype::i64, "I64"}, {dtype::u64, "U64"}};

constexpr std::string_view dtype_name(dtype t) noexcept {
  for (const auto& [d, n] : dtype_names)
    if (d == t) return n;
  return "?";
}

constexpr std::size_t dtype_size(dtype t) noexcept {
  switch (t) {
    case dtype::boolean: case dtype::u8: case dtype::i8: return 1;
    case dtype::i16: case dtype::u16: case dtype::f16: case dtype::bf16: return 2;
    case dtype::i32: case dtype::u32: case dtype::f32: return 4;
    case dtype::f64: case dtype::i64: case dtype::u64: return 8;
  }
  return 0;
}

constexpr std::optional<dtype> parse_dtype(std::string_view s) noexcept {
  for (const auto& [d, n] : dtype_names)
    if (n == s) return d;
  return std::nullopt;
}

template <class T>
constexpr dtype dtype_of() noexcept {
  if constexpr (std::is_same_v<T, float>) return dtype::f32;
  else if constexpr (std::is_same_v<T, double>) return dtype::f64;
  else if constexpr (std::is_same_v<T, std::uint8_t>) return dtype::u8;
  else if constexpr (std::is_same_v<T, std::int32_t>) return dtype::i32;
  else if constexpr (std::is_same_v<T, std::int64_t>) return dtype::i64;
  else if constexpr (std::is_same_v<T, std::uint64_t>) return dtype::u64;
  else static_assert(sizeof(T) == 0, "ctnn::io::dtype_of: no safetensors dtype for this type");
}

}  // namespace ctnn::io
