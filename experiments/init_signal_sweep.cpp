// Experiment (catalogue E1.2): per-layer forward and backward signal RMS at initialization for
// ReLU MLPs of width 256, depth L ∈ {10, 30, 50} × init ∈ {normal<0.01>, xavier, kaiming,
// orthogonal·√2}, on one batch of 256 Fashion-MNIST training images. The grid is a list of types:
// a configuration that does not make sense fails to build.
//
//   init_signal_sweep [out_dir]      writes out_dir/init_signal_layers.csv and init_signal_summary.csv
#include <cmath>
#include <string>
#include <tuple>
#include <fmt/format.h>
#include <ctnn/ctnn.hpp>

namespace {

template <std::size_t L, class Init>
using relu_mlp = ctnn::sequential<ctnn::input<784>, ctnn::dense<256, Init>, ctnn::relu,
                                  ctnn::repeat<L - 1, ctnn::dense<256, Init>, ctnn::relu>, ctnn::dense<10, Init>>;

template <std::size_t L>
struct depth {
  static constexpr std::size_t value = L;
};

template <class Init>
struct named_init;
template <> struct named_init<ctnn::init::normal<0.01>> {
  static constexpr const char* name = "normal(0.01)";
  static constexpr double variance_times_n = 256 * 1e-4;  // n σ²
};
template <> struct named_init<ctnn::init::xavier_uniform<>> {
  static constexpr const char* name = "xavier_uniform";
  static constexpr double variance_times_n = 256 * 2.0 / (256 + 256);
};
template <> struct named_init<ctnn::init::kaiming_normal<>> {
  static constexpr const char* name = "kaiming_normal";
  static constexpr double variance_times_n = 2.0;
};
template <> struct named_init<ctnn::init::orthogonal<1.4142135623730951>> {
  static constexpr const char* name = "orthogonal(sqrt2)";
  static constexpr double variance_times_n = 2.0;  // rows of norm √2: ‖Wx‖² = 2‖x‖² exactly
};

using depths = std::tuple<depth<10>, depth<30>, depth<50>>;
using inits = std::tuple<ctnn::init::normal<0.01>, ctnn::init::xavier_uniform<>, ctnn::init::kaiming_normal<>,
                         ctnn::init::orthogonal<1.4142135623730951>>;

struct run_context {
  std::vector<double> x;
  std::vector<std::int32_t> y;
  std::string layers_csv, summary_csv;
  bool first = true;
};

template <class Depth, class Init>
void run_one(run_context& ctx) {
  constexpr std::size_t L = Depth::value;
  ctnn::model<relu_mlp<L, Init>, double> m{ctnn::seed{1}};  // double: normal(0.01) at L = 50 shrinks the signal by 1e-46, below float's range
  const auto t = ctnn::diag::signal_probe(m, ctnn::loss::softmax_cross_entropy{}, ctx.x.data(), ctx.y.data(), 256);
  const char* name = named_init<Init>::name;
  t.write_csv(ctx.layers_csv, "depth,init,", fmt::format("{},{},", L, name), !ctx.first);
  ctx.first = false;
  // Per-layer factor between hidden layers 1 and L−1 (both 256 → 256), geometric mean; modules
  // are numbered as nn.Sequential (Linear, ReLU pairs), rows are bound layers.
  const auto& r = t.rows;
  const std::size_t a = 1, b = L - 1;
  const double steps = static_cast<double>(b - a);
  const double fwd = std::pow(r[b].forward_rms / r[a].forward_rms, 1.0 / steps);
  const double bwd = std::pow(r[a].backward_rms / r[b].backward_rms, 1.0 / steps);
  const double predicted = std::sqrt(named_init<Init>::variance_times_n / 2);
  const double grad_ratio = r[0].weight_grad_norm / r[L - 1].weight_grad_norm;
  std::FILE* f = std::fopen(ctx.summary_csv.c_str(), "a");
  fmt::print(f, "{},{},{:.6g},{:.6g},{:.6g},{:.6g},{:.6g},{:.6g}\n", L, name, predicted, fwd, bwd,
             r[b].forward_rms / r[a].forward_rms, std::pow(predicted, steps), grad_ratio);
  std::fclose(f);
  fmt::print("L={:>2} {:<18} per-layer factor: predicted {:.4f}  forward {:.4f}  backward {:.4f}  "
             "first/last hidden |grad W| {:.3g}\n", L, name, predicted, fwd, bwd, grad_ratio);
}


}  // namespace

int main(int argc, char** argv) try {
  const std::string out = argc > 1 ? argv[1] : ".";
  const auto train = ctnn::data::fashion_mnist::train();
  run_context ctx;
  ctx.x.assign(train.x.data(), train.x.data() + 256 * 784);
  ctx.y.assign(train.y.data(), train.y.data() + 256);
  ctx.layers_csv = out + "/init_signal_layers.csv";
  ctx.summary_csv = out + "/init_signal_summary.csv";
  {
    std::FILE* f = std::fopen(ctx.summary_csv.c_str(), "w");
    if (!f) throw ctnn::error("init_signal_sweep: cannot write " + ctx.summary_csv);
    fmt::print(f, "depth,init,predicted_factor,forward_factor,backward_factor,forward_ratio_measured,"
                  "forward_ratio_predicted,first_last_weight_grad_ratio\n");
    std::fclose(f);
  }
  // The grid: every (depth, init) pair, expanded at compile time.
  ctnn::for_each_type<depths>([&]<class Depth>() {
    ctnn::for_each_type<inits>([&]<class Init>() { run_one<Depth, Init>(ctx); });
  });
  fmt::print("wrote {} and {}\n", ctx.layers_csv, ctx.summary_csv);
  return 0;
} catch (const std::exception& e) {
  fmt::print(stderr, "init_signal_sweep: {}\n", e.what());
  return 1;
}
