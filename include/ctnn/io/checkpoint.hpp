#pragma once
// Training checkpoints: save_checkpoint(trainer, position, path) / load_checkpoint(trainer, path).
// One safetensors file (atomic write, fully validated read) holding
//   model.<name>                      the parameters and buffers, named and shaped as in ctnn::save
//   optimizer.<arena>.<param>         each optimizer arena, per parameter (io/optimizer_state.hpp)
//   optimizer.<counter>               each optimizer counter or scalar, shape []
//   fit.order                         U64 [n]: the sample order (fit_position::order), if any
//   fit.loss_sum                      F64 []: the epoch's running loss sum
//   __metadata__                      format "ctnn-checkpoint", checkpoint_version "1", ctnn_version,
//                                     network, optimizer, epoch, step, global_step, seed, shuffle,
//                                     batch, random_seed, random_draws (the model's dropout
//                                     streams), correct, total
// Loading requires exactly these tensors for the trainer's model and optimizer state (hyperparameters
// that change the state's shape, such as sgd momentum on/off, must match) and fills the model's
// parameters, the optimizer state and the returned fit_position; nothing is modified on error.
// The optimizer's type is recorded (metadata "optimizer", e.g. "ctnn::optim::sgd") and must match
// on load: adam, radam, yogi and lamb all keep (m, v, steps), so the tensors alone would let one
// optimizer's moments be read as another's. (Checkpoints written before the key existed have none
// and are checked by their tensors only.)
// Resuming with it is bitwise identical to not stopping (see train/resume.hpp).
#include <charconv>
#include <cstdint>
#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>
#include <fmt/format.h>
#include <ctnn/core/error.hpp>
#include <ctnn/io/optimizer_state.hpp>
#include <ctnn/io/read_file.hpp>
#include <ctnn/io/safetensors.hpp>
#include <ctnn/train/resume.hpp>
#include <ctnn/train/trainer.hpp>

namespace ctnn {

namespace io {

inline constexpr std::string_view checkpoint_format = "ctnn-checkpoint";
inline constexpr std::string_view checkpoint_version = "1";

/// Walks a trainer's optimizer state, appending one entry per stored part via `add`
/// (add(name, dtype, shape, pointer, bytes)); arenas expand to one entry per parameter.
template <class Model, class State, class Add>
void walk_optimizer_state(State& st, Add&& add) {
  using S = typename Model::scalar;
  for_each_state_part(st, [&]<class Part>(std::string_view name, Part&& part) {
    using P = std::remove_cvref_t<Part>;
    if constexpr (std::is_same_v<P, std::span<S>>) {
      if (part.empty()) return;  // unused with these hyperparameters
      if (part.size() != Model::parameter_count)
        throw error(fmt::format("ctnn checkpoint: optimizer arena '{}' has {} elements, expected the parameter "
                                "arena's {}", name, part.size(), Model::parameter_count));
      for (const auto& d : Model::slots)
        add(fmt::format("optimizer.{}.{}", name, d.name()), dtype_of<S>(), slot_shape(d), part.data() + d.offset,
            d.size() * sizeof(S));
    } else if constexpr (std::is_integral_v<P> && !std::is_same_v<P, bool>) {
      using stored = std::conditional_t<std::is_signed_v<P>, std::int64_t, std::uint64_t>;
      static_assert(sizeof(P) == sizeof(stored), "ctnn checkpoint: integer counters must be 64-bit");
      add(fmt::format("optimizer.{}", name), dtype_of<stored>(), std::vector<std::uint64_t>{}, &part, sizeof(P));
    } else if constexpr (std::is_same_v<P, float> || std::is_same_v<P, double>) {
      add(fmt::format("optimizer.{}", name), dtype_of<P>(), std::vector<std::uint64_t>{}, &part, sizeof(P));
    } else {
      static_assert(sizeof(P) == 0, "ctnn checkpoint: a state part must be std::span<S>, an integer or float/double");
    }
  });
}

/// T's name as the compiler spells it, from g++'s (or clang's) __PRETTY_FUNCTION__:
/// "... type_name() [with T = ctnn::optim::adam_type<ctnn::optim::adam_defaults>; ...]".
template <class T>
constexpr std::string_view type_name() {
  constexpr std::string_view f = __PRETTY_FUNCTION__;
  constexpr auto b = f.find("T = ") + 4;
  return f.substr(b, f.find_first_of(";]", b) - b);
}

/// A type name with the spaces g++ puts between closing brackets removed ("a<b<c> >" → "a<b<c>>",
/// as clang writes it), so a checkpoint's optimizer name compares equal across compilers.
inline std::string normalized_type_name(std::string_view name) {
  std::string out;
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (name[i] == ' ' && !out.empty() && out.back() == '>' && i + 1 < name.size() && name[i + 1] == '>') continue;
    out += name[i];
  }
  return out;
}

inline std::uint64_t metadata_u64(const safetensors_view& f, std::string_view key, std::string_view source) {
  const auto it = f.metadata.find(std::string(key));
  if (it == f.metadata.end())
    throw error(fmt::format("ctnn::load_checkpoint: '{}': the metadata has no '{}'", source, key));
  std::uint64_t v = 0;
  const auto& s = it->second;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size() || s.empty())
    throw error(fmt::format("ctnn::load_checkpoint: '{}': metadata '{}' = '{}' is not a non-negative integer", source, key, s));
  return v;
}

}  // namespace io

/// Writes the trainer's model parameters and optimizer state and the fit position to path.
template <class Model, class LossFn, class Opt>
void save_checkpoint(trainer<Model, LossFn, Opt>& tr, const fit_position& pos, const std::filesystem::path& path) {
  using S = typename Model::scalar;
  std::vector<io::tensor_source> tensors;
  io::append_model(tensors, tr.model(), "model.");
  io::walk_optimizer_state<Model>(tr.optimizer_state(),
                                  [&](std::string name, io::dtype t, std::vector<std::uint64_t> shape, void* p, std::size_t bytes) {
                                    tensors.push_back({std::move(name), t, std::move(shape), p, bytes});
                                  });
  static_assert(sizeof(std::size_t) == 8, "ctnn checkpoint: fit.order is stored as U64");
  if (!pos.order.empty())
    tensors.push_back({"fit.order", io::dtype::u64, {pos.order.size()}, pos.order.data(), pos.order.size() * 8});
  tensors.push_back({"fit.loss_sum", io::dtype::f64, {}, &pos.loss_sum, sizeof(double)});
  auto meta = io::model_metadata<Model>();
  meta.erase("format");
  meta.emplace("format", std::string(io::checkpoint_format));
  meta.emplace("checkpoint_version", std::string(io::checkpoint_version));
  meta.emplace("optimizer", io::normalized_type_name(io::type_name<Opt>()));
  meta.emplace("scalar", std::string(io::dtype_name(io::dtype_of<S>())));
  meta.emplace("epoch", std::to_string(pos.epoch));
  meta.emplace("step", std::to_string(pos.step));
  meta.emplace("global_step", std::to_string(pos.global_step));
  meta.emplace("seed", std::to_string(pos.seed));
  meta.emplace("shuffle", pos.shuffle ? "1" : "0");
  meta.emplace("batch", std::to_string(pos.batch));
  if (pos.data_fingerprint != 0) meta.emplace("data_fingerprint", std::to_string(pos.data_fingerprint));
  meta.emplace("drop_last", pos.drop_last ? "1" : "0");
  meta.emplace("correct", std::to_string(pos.correct));
  meta.emplace("total", std::to_string(pos.total));
  // Stochastic layers' stream seed and draw count (dropout masks): a resumed run draws the same
  // masks, whatever seed its model was constructed with.
  meta.emplace("random_seed", std::to_string(tr.model().random_seed()));
  meta.emplace("random_draws", std::to_string(tr.model().random_draws()));
  io::write_safetensors(path, tensors, meta);
}

namespace detail {
struct accept_any_position {
  void operator()(const fit_position&) const noexcept {}
};
}  // namespace detail

/// Restores the trainer's model parameters and optimizer state from path and returns the fit
/// position. ctnn::error, with the trainer unchanged, on any malformed or mismatched file: one of
/// another network (its "network" metadata, as io::network_signature, differs), another optimizer,
/// or a position `check(position)` rejects by throwing (fit checks the run's data size, seed,
/// shuffle and batch there, before anything is committed).
template <class Model, class LossFn, class Opt, class Check = detail::accept_any_position>
fit_position load_checkpoint(trainer<Model, LossFn, Opt>& tr, const std::filesystem::path& path, Check&& check = {}) {
  const std::string source = path.string();
  const auto bytes = io::read_file(path, "ctnn::load_checkpoint");
  const auto file = io::parse_safetensors(bytes, source);
  const auto fmt_it = file.metadata.find("format");
  if (fmt_it == file.metadata.end() || fmt_it->second != io::checkpoint_format)
    throw error(fmt::format("ctnn::load_checkpoint: '{}' is not a ctnn training checkpoint (metadata format is '{}'; "
                            "a model file is read with ctnn::load)",
                            source, fmt_it == file.metadata.end() ? "" : fmt_it->second));
  if (const auto v = file.metadata.find("checkpoint_version"); v == file.metadata.end() || v->second != io::checkpoint_version)
    throw error(fmt::format("ctnn::load_checkpoint: '{}': unsupported checkpoint_version '{}' (this ctnn reads {})", source,
                            v == file.metadata.end() ? "" : v->second, io::checkpoint_version));
  if (const auto o = file.metadata.find("optimizer");
      o != file.metadata.end() && io::normalized_type_name(o->second) != io::normalized_type_name(io::type_name<Opt>()))
    throw error(fmt::format("ctnn::load_checkpoint: '{}' holds the state of optimizer {}, but this trainer's optimizer is "
                            "{}: optimizer states are not interchangeable (resume with the optimizer type that wrote it)",
                            source, o->second, io::type_name<Opt>()));
  // Tensor names and shapes can all match between two networks that differ in an activation or a
  // dropout rate; the signature tells them apart.
  if (const auto net = file.metadata.find("network");
      net != file.metadata.end() && net->second != io::network_signature<Model>())
    throw error(fmt::format("ctnn::load_checkpoint: '{}' is a checkpoint of the network\n  {}\nbut this model is\n  {}",
                            source, net->second, io::network_signature<Model>()));

  fit_position pos;
  pos.epoch = io::metadata_u64(file, "epoch", source);
  pos.step = io::metadata_u64(file, "step", source);
  pos.global_step = io::metadata_u64(file, "global_step", source);
  pos.seed = io::metadata_u64(file, "seed", source);
  const auto shuffle = io::metadata_u64(file, "shuffle", source);
  if (shuffle > 1) throw error(fmt::format("ctnn::load_checkpoint: '{}': metadata 'shuffle' must be 0 or 1", source));
  pos.shuffle = shuffle == 1;
  // Checkpoints written before the batch was recorded have none: 0, unchecked.
  if (file.metadata.count("batch") > 0) pos.batch = io::metadata_u64(file, "batch", source);
  if (file.metadata.count("data_fingerprint") > 0)
    pos.data_fingerprint = io::metadata_u64(file, "data_fingerprint", source);
  if (file.metadata.count("drop_last") > 0) {
    const auto drop = io::metadata_u64(file, "drop_last", source);
    if (drop > 1) throw error(fmt::format("ctnn::load_checkpoint: '{}': metadata 'drop_last' must be 0 or 1", source));
    pos.drop_last = drop == 1;
  }
  pos.correct = io::metadata_u64(file, "correct", source);
  pos.total = io::metadata_u64(file, "total", source);
  if (pos.correct > pos.total)
    throw error(fmt::format("ctnn::load_checkpoint: '{}': metadata correct {} > total {}", source, pos.correct, pos.total));

  // Stage everything, validate, then commit: the trainer is untouched until all checks passed.
  io::model_stage<Model> stage(tr.model());
  auto state = tr.optimizer_state();  // a copy with the right shapes, filled below
  std::vector<io::tensor_target> wanted;
  stage.targets(wanted, "model.");
  io::walk_optimizer_state<Model>(state, [&](std::string name, io::dtype t, std::vector<std::uint64_t> shape, void* p, std::size_t) {
    wanted.push_back({std::move(name), t, std::move(shape), p});
  });
  const io::tensor_entry* order = file.find("fit.order");
  if (order) {
    if (order->type != io::dtype::u64 || order->shape.size() != 1)
      throw error(fmt::format("ctnn::load_checkpoint: '{}': fit.order must be U64 [n], it is {} {}", source,
                              io::dtype_name(order->type), io::shape_string(order->shape)));
    pos.order.resize(static_cast<std::size_t>(order->shape[0]));  // backed by bytes present in the file
    wanted.push_back({"fit.order", io::dtype::u64, order->shape, pos.order.data()});
  }
  wanted.push_back({"fit.loss_sum", io::dtype::f64, {}, &pos.loss_sum});
  io::read_tensors(file, wanted, "ctnn::load_checkpoint", source);

  std::vector<char> seen(pos.order.size(), 0);
  for (std::size_t i = 0; i < pos.order.size(); ++i) {
    const std::size_t v = pos.order[i];
    if (v >= pos.order.size() || seen[v])
      throw error(fmt::format("ctnn::load_checkpoint: '{}': fit.order is not a permutation of 0..{} (element {} = {})",
                              source, pos.order.size() - 1, i, v));
    seen[v] = 1;
  }

  // Checkpoints written before dropout existed have no random state; their networks had no
  // stochastic layer, so the model's own is as good.
  const bool has_random = file.metadata.count("random_draws") > 0;
  const std::uint64_t draws = has_random ? io::metadata_u64(file, "random_draws", source) : 0;
  const std::uint64_t random_seed = has_random ? io::metadata_u64(file, "random_seed", source) : 0;
  check(static_cast<const fit_position&>(pos));
  stage.commit(tr.model());
  if (has_random) tr.model().set_random_state(random_seed, draws);
  tr.optimizer_state() = std::move(state);
  return pos;
}

}  // namespace ctnn
