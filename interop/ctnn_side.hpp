#pragma once
// The ctnn half of the interop check, in its own translation unit (ctnn_side.cpp): torch_interop.cpp
// includes no ctnn header, so the torch half reads and writes safetensors files without any ctnn
// code, and the two libraries' headers never meet in one translation unit.
#include <cstddef>
#include <string>
#include <vector>

namespace interop {

/// The networks checked; each has the torch equivalent Sequential(Linear(784, 64), [BatchNorm1d(64),]
/// ReLU(), Linear(64, 10)) (torch_interop.cpp: torch_mlp).
enum class net { mlp, bn_layer, bn_policy, bn_layer_f64 };
bool has_batch_norm(net n);
bool is_f64(net n);

/// Inputs, each row-major batch × 784; logits, each row-major batch × 10.
using batches = std::vector<std::vector<double>>;

/// Builds the ctnn model (seeded; batch-norm γ, β and running statistics randomized so that
/// evaluation-mode batch norm is not the identity), writes it with ctnn::save, and returns its
/// logits on each input.
batches save_ctnn(net n, unsigned seed, const std::string& path, const batches& xs);

/// Reads the file with ctnn::load into a fresh model and returns its logits on each input.
batches load_ctnn(net n, const std::string& path, const batches& xs);

}  // namespace interop
