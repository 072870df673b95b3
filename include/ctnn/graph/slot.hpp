#pragma once
// slot_desc: one parameter tensor of the plan: where it lives in the arena, its shape,
// its fans, and its module path (for the PyTorch-style name "2.0.weight").
// Buffers (running statistics) are described by the same struct, with role buffer, in a
// separate table over a separate arena: they are never given to an optimizer.
#include <array>
#include <cstddef>
#include <string>
#include <vector>

namespace ctnn {

enum class slot_role { weight, bias, buffer };

/// Slots start on 16-element boundaries: 64 bytes for float, so every slot is cache-line aligned.
inline constexpr std::size_t slot_alignment = 16;
constexpr std::size_t round_up_to_slot(std::size_t n) {
  return (n + slot_alignment - 1) / slot_alignment * slot_alignment;
}

struct slot_desc {
  std::size_t offset = 0;  ///< in elements from the start of the arena
  std::size_t rank = 1;    ///< 2 for weights [rows, cols], 1 for biases [rows], 4 for conv weights
  std::size_t rows = 0;
  std::size_t cols = 1;    ///< rank 4: in_channels · kernel_h · kernel_w (the GEMM view [rows, cols])
  std::size_t kernel_h = 1, kernel_w = 1;  ///< rank 4 only: [rows, cols / (kh·kw), kh, kw]
  std::size_t fan_in = 0;
  std::size_t fan_out = 0;
  slot_role role = slot_role::weight;
  std::array<std::size_t, 8> path{};  ///< module indices from the outermost sequential inwards
  std::size_t depth = 0;
  const char* leaf = nullptr;  ///< the last name component when not "weight"/"bias" ("running_mean")
  double initial = 0;          ///< buffers: the value they start from (and are reset to)

  constexpr std::size_t size() const { return rows * cols; }

  /// The shape PyTorch gives this tensor: [out, in] for a Linear weight, [out, in, kh, kw] for a
  /// Conv2d weight, [n] for vectors.
  std::vector<std::size_t> dims() const {
    if (rank == 4) return {rows, cols / (kernel_h * kernel_w), kernel_h, kernel_w};
    if (rank == 2) return {rows, cols};
    return {rows};
  }

  /// Prepends the module index `i` (called by the container that holds this slot's layer).
  constexpr void prepend(std::size_t i) {
    for (std::size_t d = depth; d > 0; --d) path[d] = path[d - 1];
    path[0] = i;
    ++depth;
  }

  /// The name PyTorch's state_dict gives this tensor: "0.weight", "3.1.bias", ...
  std::string name() const {
    std::string s;
    for (std::size_t d = 0; d < depth; ++d) s += std::to_string(path[d]) + ".";
    if (leaf) return s + leaf;
    return s + (role == slot_role::weight ? "weight" : "bias");
  }
};

}  // namespace ctnn
