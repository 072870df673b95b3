#pragma once
// read_tensors: fills a list of expected tensors from a validated safetensors file. Every
// expected tensor must be present with exactly its dtype and shape, and (unless allow_extra)
// the file must hold nothing else. All problems are collected and reported together in one
// ctnn::error ("missing tensor '2.weight' (expected F32 [10, 96]); tensor '0.weight' has shape
// [96, 63], expected [96, 64]; unexpected tensor 'foo'"); nothing is written unless every check
// passes, so a failed load leaves the destination untouched.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>
#include <fmt/format.h>
#include <ctnn/core/error.hpp>
#include <ctnn/io/dtype.hpp>
#include <ctnn/io/safetensors_view.hpp>

namespace ctnn::io {

struct tensor_target {
  std::string name;
  io::dtype type = dtype::f32;
  std::vector<std::uint64_t> shape;
  void* data = nullptr;  ///< receives prod(shape) × dtype_size(type) bytes
};

inline void read_tensors(const safetensors_view& file, std::span<const tensor_target> wanted,
                         std::string_view who, std::string_view source, bool allow_extra = false) {
  std::vector<std::string> problems;
  std::set<std::string_view> names;
  for (const auto& w : wanted) {
    names.insert(w.name);
    const tensor_entry* t = file.find(w.name);
    if (!t) {
      problems.push_back(fmt::format("missing tensor '{}' (expected {} {})", w.name, dtype_name(w.type), shape_string(w.shape)));
      continue;
    }
    if (t->type != w.type)
      problems.push_back(fmt::format("tensor '{}' has dtype {}, expected {}", w.name, dtype_name(t->type), dtype_name(w.type)));
    if (t->shape != w.shape)
      problems.push_back(fmt::format("tensor '{}' has shape {}, expected {}", w.name, shape_string(t->shape), shape_string(w.shape)));
  }
  if (!allow_extra)
    for (const auto& t : file.tensors)
      if (!names.count(t.name)) problems.push_back(fmt::format("unexpected tensor '{}' ({} {})", t.name, dtype_name(t.type), shape_string(t.shape)));
  if (!problems.empty())
    throw error(fmt::format("{}: '{}' does not match: {}", who, source, fmt::join(problems, "; ")));
  for (const auto& w : wanted) {
    const auto bytes = file.bytes(*file.find(w.name));  // size checked against shape by parse_safetensors
    if (!bytes.empty()) std::memcpy(w.data, bytes.data(), bytes.size());
  }
}

}  // namespace ctnn::io
