#pragma once
// ctnn::save(model, path) / ctnn::load(model, path): a model's parameters as a safetensors file
// that PyTorch reads as the state_dict of the equivalent nn.Sequential:
//   names  "0.weight", "0.bias", "2.0.weight", ... (slot_desc::name); buffers of normalization
//          layers ("1.running_mean", "1.running_var") and, as torch expects, "1.num_batches_tracked"
//          (I64 [], written as 0, ignored on load)
//   shapes [out, in] for weights, [out] for biases, stored densely (no arena padding)
//   dtype  F32 for model<Net, float>, F64 for model<Net, double>
//   __metadata__ {"format": "pt", "ctnn_version": "0.1.0", "network": network_signature<Model>()}
// save is atomic (io::atomic_file). load validates the whole file first (io::parse_safetensors),
// then every name, dtype and shape against the network (io::read_tensors): the error lists each
// missing, mis-typed, mis-shaped and unexpected tensor; the model is unchanged on error. The
// "network" metadata is informational: a file written by PyTorch has none and loads fine.
//
//   ctnn::save(m, "mlp.safetensors");
//   ctnn::load(m2, "mlp.safetensors");
// In Python: safetensors.torch.load_file("mlp.safetensors") → a state_dict for nn.Sequential.
#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>
#include <ctnn/config.hpp>
#include <ctnn/core/model.hpp>
#include <ctnn/io/dtype.hpp>
#include <ctnn/io/network_signature.hpp>
#include <ctnn/io/read_file.hpp>
#include <ctnn/io/safetensors_view.hpp>
#include <ctnn/io/safetensors_writer.hpp>
#include <ctnn/io/tensor_target.hpp>

namespace ctnn {

namespace io {

/// The shape PyTorch gives a slot: [rows, cols] for Linear weights, [out, in, kh, kw] for Conv2d
/// weights, [rows] for vectors.
inline std::vector<std::uint64_t> slot_shape(const slot_desc& d) {
  const auto dims = d.dims();
  return std::vector<std::uint64_t>(dims.begin(), dims.end());
}

/// One tensor_source per slot of an arena laid out like Model's parameters, named prefix + slot name.
template <class Model, class S>
void append_arena(std::vector<tensor_source>& out, const S* arena, std::string_view prefix) {
  for (const auto& d : Model::slots)
    out.push_back({std::string(prefix) + d.name(), dtype_of<S>(), slot_shape(d), arena + d.offset, d.size() * sizeof(S)});
}
template <class Model, class S>
void append_arena(std::vector<tensor_target>& out, S* arena, std::string_view prefix) {
  for (const auto& d : Model::slots)
    out.push_back({std::string(prefix) + d.name(), dtype_of<S>(), slot_shape(d), arena + d.offset});
}

/// Whether the model type has a buffer arena (running statistics of normalization layers).
template <class Model>
concept HasBuffers = requires { Model::buffer_slots; };

/// Tensors PyTorch's BatchNorm keeps beside running_mean and ctnn does not: "<module>.num_batches_tracked".
template <class Model>
std::vector<std::string> num_batches_tracked_names() {
  std::vector<std::string> out;
  if constexpr (HasBuffers<Model>)
    for (const auto& d : Model::buffer_slots)
      if (const std::string n = d.name(); n.ends_with("running_mean"))
        out.push_back(n.substr(0, n.size() - std::string_view("running_mean").size()) + "num_batches_tracked");
  return out;
}

/// Every tensor of the model's state_dict: parameters, buffers, and (for torch's strict
/// load_state_dict) a zero num_batches_tracked per batch-norm module.
template <class Model>
void append_model(std::vector<tensor_source>& out, const Model& m, std::string_view prefix) {
  append_arena<Model>(out, m.parameters().data(), prefix);
  if constexpr (HasBuffers<Model>) {
    for (const auto& d : Model::buffer_slots)
      out.push_back({std::string(prefix) + d.name(), dtype_of<typename Model::scalar>(), slot_shape(d),
                     m.buffers().data() + d.offset, d.size() * sizeof(typename Model::scalar)});
    static const std::int64_t zero = 0;
    for (const auto& n : num_batches_tracked_names<Model>())
      out.push_back({std::string(prefix) + n, dtype::i64, {}, &zero, sizeof zero});
  }
}

/// Targets for every tensor of the model's state_dict, written into `params` (parameter_count
/// elements), `buffers` (buffer_count) and `ignored` (num_batches_tracked, read and dropped).
template <class Model, class S>
void append_model(std::vector<tensor_target>& out, S* params, S* buffers, std::vector<std::int64_t>& ignored,
                  std::string_view prefix) {
  append_arena<Model>(out, params, prefix);
  if constexpr (HasBuffers<Model>) {
    for (const auto& d : Model::buffer_slots)
      out.push_back({std::string(prefix) + d.name(), dtype_of<S>(), slot_shape(d), buffers + d.offset});
    const auto names = num_batches_tracked_names<Model>();
    ignored.assign(names.size(), 0);
    for (std::size_t i = 0; i < names.size(); ++i) out.push_back({std::string(prefix) + names[i], dtype::i64, {}, &ignored[i]});
  }
}

/// Stages a model's state: filled by read_tensors, copied into the model only once all checks passed.
template <class Model>
struct model_stage {
  using S = typename Model::scalar;
  std::vector<S> params, buffers;
  std::vector<std::int64_t> ignored;
  explicit model_stage(const Model& m) : params(m.parameters().begin(), m.parameters().end()) {
    if constexpr (HasBuffers<Model>) buffers.assign(m.buffers().begin(), m.buffers().end());
  }
  void targets(std::vector<tensor_target>& out, std::string_view prefix) {
    append_model<Model>(out, params.data(), buffers.data(), ignored, prefix);
  }
  void commit(Model& m) const {
    std::copy(params.begin(), params.end(), m.parameters().begin());
    if constexpr (HasBuffers<Model>) std::copy(buffers.begin(), buffers.end(), m.buffers().begin());
  }
};

template <class Model>
std::map<std::string, std::string> model_metadata() {
  return {{"format", "pt"}, {"ctnn_version", ctnn::version}, {"network", network_signature<Model>()}};
}

}  // namespace io

/// Writes m's parameters to path (safetensors, atomically).
template <class Net, class S>
void save(const model<Net, S>& m, const std::filesystem::path& path) {
  std::vector<io::tensor_source> tensors;
  io::append_model(tensors, m, "");
  io::write_safetensors(path, tensors, io::model_metadata<model<Net, S>>());
}

/// Reads m's parameters from path; ctnn::error (m unchanged) if the file is malformed or does not
/// hold exactly m's tensors with m's dtype and shapes.
template <class Net, class S>
void load(model<Net, S>& m, const std::filesystem::path& path) {
  const auto bytes = io::read_file(path, "ctnn::load");
  const auto file = io::parse_safetensors(bytes, path.string());
  // A training checkpoint holds the model under "model." beside the optimizer's state: say so
  // rather than list every tensor as missing or unexpected.
  if (const auto f = file.metadata.find("format"); f != file.metadata.end() && f->second == "ctnn-checkpoint")
    throw error(fmt::format("ctnn::load: '{}' is a training checkpoint (parameters, optimizer state and fit's "
                            "position): resume it with fit_options::resume_from or ctnn::load_checkpoint; "
                            "ctnn::load reads model files written by ctnn::save",
                            path.string()));
  io::model_stage<model<Net, S>> stage(m);
  std::vector<io::tensor_target> wanted;
  stage.targets(wanted, "");
  io::read_tensors(file, wanted, "ctnn::load", path.string());
  stage.commit(m);
}

}  // namespace ctnn
