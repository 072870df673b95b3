#pragma once
// signal_probe: the per-layer signals of the variance law (catalogue A1, E1.2) for a model and
// one batch, in the model's mode (train or eval), leaving the model as it was: its parameters,
// its buffers (batch norm's running statistics, spectral norm's u, v) and dropout's draw count
// are put back; only the gradient arena is overwritten:
//   forward_rms    RMS of each top-level layer's output (after its activation) over the batch,
//   backward_rms   RMS of the back-propagated signal e = ∂L/∂z at that layer (pre-activation),
//   weight_grad_norm, weight_norm, and their ratio ‖∇W‖/‖W‖ (the layer's weight slots only).
// For a ReLU MLP of width n with Var w = σ², both RMS signals change by √(nσ²/2) per layer.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>
#include <fmt/format.h>
#include <ctnn/core/error.hpp>
#include <ctnn/core/model.hpp>

namespace ctnn::diag {

struct layer_signal {
  std::size_t module = 0;   ///< PyTorch module index of the layer
  std::string layer;        ///< its description, e.g. "dense<256> (Linear 256→256 + ReLU)"
  std::size_t width = 0;
  double forward_rms = 0;
  double backward_rms = 0;
  double weight_grad_norm = 0;
  double weight_norm = 0;
  double grad_to_weight = 0;  ///< ‖∇W‖/‖W‖ (0 for layers without weights)
};

struct signal_table {
  double input_rms = 0;
  double loss = 0;
  std::vector<layer_signal> rows;

  void print(std::FILE* out = stdout) const {
    fmt::print(out, "input rms {:.4g}, loss {:.6g}\n{:>6} {:>12} {:>12} {:>12} {:>12}  {}\n", input_rms, loss,
               "module", "fwd rms", "bwd rms", "|grad W|", "|gW|/|W|", "layer");
    for (const auto& r : rows)
      fmt::print(out, "{:>6} {:>12.4e} {:>12.4e} {:>12.4e} {:>12.4e}  {}\n", r.module, r.forward_rms, r.backward_rms,
                 r.weight_grad_norm, r.grad_to_weight, r.layer);
  }
  /// One row per layer; `prefix_columns`/`prefix_values` let an experiment add its own keys.
  void write_csv(const std::string& path, const std::string& prefix_columns = "",
                 const std::string& prefix_values = "", bool append = false) const {
    std::ofstream f(path, append ? std::ios::app : std::ios::trunc);
    if (!f) throw error(fmt::format("ctnn::diag: cannot write '{}'", path));
    if (!append)
      f << prefix_columns << "module,width,forward_rms,backward_rms,weight_grad_norm,weight_norm,grad_to_weight,layer\n";
    for (const auto& r : rows)
      f << prefix_values
        << fmt::format("{},{},{:.8g},{:.8g},{:.8g},{:.8g},{:.8g},\"{}\"\n", r.module, r.width, r.forward_rms,
                       r.backward_rms, r.weight_grad_norm, r.weight_norm, r.grad_to_weight, r.layer);
  }
};

namespace detail {
template <class S>
double rms(const S* v, std::size_t n) {
  double s = 0;
  for (std::size_t i = 0; i < n; ++i) s += static_cast<double>(v[i]) * static_cast<double>(v[i]);
  return n ? std::sqrt(s / static_cast<double>(n)) : 0.0;
}
}  // namespace detail

/// Runs one forward and backward on (x, targets) and measures the table. x: batch × in_features.
/// The gradient arena is overwritten; parameters, buffers and the dropout draw count are as before.
/// Batch-norm folding is off for the probe's forward (model::set_fold_batch_norm): a folded
/// evaluation forward does not write the dense layer's own output, whose RMS the table reports.
template <class Net, class S, class LossFn, class Target>
signal_table signal_probe(model<Net, S>& m, const LossFn&, const S* x, const Target* targets, std::size_t batch) {
  using model_type = model<Net, S>;
  struct restore {
    model<Net, S>& m;
    std::vector<S> buffers;
    std::uint64_t draws;
    bool fold;
    ~restore() {
      std::copy(buffers.begin(), buffers.end(), m.buffers().begin());
      m.set_random_draws(draws);
      m.set_fold_batch_norm(fold);
    }
  } const guard{m, std::vector<S>(m.buffers().begin(), m.buffers().end()), m.random_draws(), m.folds_batch_norm()};
  m.set_fold_batch_norm(false);
  signal_table t;
  t.input_rms = detail::rms(x, batch * model_type::in_features);
  const S* y = m.forward(x, batch);
  m.visit_layers_only_outputs([&](std::size_t module, const std::string& what, const S* out, std::size_t width) {
    layer_signal r;
    r.module = module;
    r.layer = what;
    r.width = width;
    r.forward_rms = detail::rms(out, batch * width);
    t.rows.push_back(r);
  });
  S* dy = m.output_gradient();
  t.loss = static_cast<double>(LossFn::value_and_grad(y, targets, batch, model_type::out_features, dy));
  m.backward_observed(dy, [&](std::size_t module, const std::string&, const S* e, std::size_t width) {
    for (auto& r : t.rows)
      if (r.module == module) r.backward_rms = detail::rms(e, batch * width);
  });
  const auto p = m.parameters();
  const auto g = m.gradients();
  for (auto& r : t.rows) {
    double gw = 0, w = 0;
    for (const auto& s : model_type::slots)
      if (s.depth > 0 && s.path[0] == r.module && s.role == slot_role::weight)
        for (std::size_t i = s.offset; i < s.offset + s.size(); ++i) {
          gw += static_cast<double>(g[i]) * static_cast<double>(g[i]);
          w += static_cast<double>(p[i]) * static_cast<double>(p[i]);
        }
    r.weight_grad_norm = std::sqrt(gw);
    r.weight_norm = std::sqrt(w);
    r.grad_to_weight = w > 0 ? std::sqrt(gw / w) : 0.0;
  }
  return t;
}

}  // namespace ctnn::diag
