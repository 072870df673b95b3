// Per-sample norm fusion (graph/chain_node.hpp): dense (no activation) → layer_norm / group_norm /
// rms_norm [→ activation] runs as kernels::dense_forward_normalized. Its results are bit for bit
// those of the three layers run one after the other (ctnn::fuse_row_norm = false): outputs,
// every layer's recorded output, gradients, in training and evaluation. The gradient checks in
// norm_gradient.cpp run through the fused path too (their dense → norm pairs fuse).
#include <catch2/catch.hpp>
#include <algorithm>
#include <chrono>
#include <vector>
#include <ctnn/ctnn.hpp>

namespace {

using xavier = ctnn::init::xavier_uniform<>;

/// Restores ctnn::fuse_row_norm when a test ends, whatever happens.
struct fuse_setting {
  bool saved = ctnn::fuse_row_norm;
  ~fuse_setting() { ctnn::fuse_row_norm = saved; }
};

using fused_net = ctnn::sequential<
    ctnn::input<40>, ctnn::dense<33, xavier, ctnn::norm::layer_norm<>>, ctnn::relu,  // with an activation
    ctnn::dense<24, xavier>, ctnn::norm::rms_norm<>,                                 // without
    ctnn::dense<20, xavier>, ctnn::norm::group_norm<4>, ctnn::tanh,
    ctnn::residual<ctnn::dense<20, xavier, ctnn::norm::layer_norm<>>, ctnn::gelu>,   // inside a block
    ctnn::dense<3, xavier>, ctnn::norm::layer_norm<>>;                                // Out < 4

using root = ctnn::model<fused_net>::root;
using kids = root::children;
static_assert(ctnn::detail::norm_fuse_activation_at<kids, 0>());  // dense, layer_norm, relu
static_assert(ctnn::detail::norm_fuse_at<kids, 3>() && !ctnn::detail::norm_fuse_activation_at<kids, 3>());
static_assert(ctnn::detail::norm_fuse_activation_at<kids, 5>());
static_assert(ctnn::detail::norm_fuse_at<kids, 9>());

template <class S>
std::vector<S> run(bool fuse, ctnn::mode mode, std::size_t batch) {
  ctnn::fuse_row_norm = fuse;
  using model_t = ctnn::model<fused_net, S>;
  model_t m{ctnn::seed{3}};
  ctnn::rng g(4);
  for (const auto& s : model_t::slots)  // γ and β away from 1 and 0
    if (s.rank == 1)
      for (std::size_t i = 0; i < s.size(); ++i) m.parameters()[s.offset + i] = static_cast<S>(g.uniform(0.5, 1.5));
  std::vector<S> x(batch * 40), t(batch * 3);
  for (auto& v : x) v = static_cast<S>(g.normal() + 0.3);
  for (auto& v : t) v = static_cast<S>(g.uniform(-1, 1));
  m.set_mode(mode);
  const S* y = m.forward(x.data(), batch);
  std::vector<S> out(y, y + batch * 3);
  m.visit_layer_outputs([&](std::size_t, const std::string&, const S* o, std::size_t width) {
    out.insert(out.end(), o, o + batch * width);
  });
  ctnn::loss::mse::value_and_grad(y, t.data(), batch, 3, m.output_gradient());
  m.backward(m.output_gradient());
  out.insert(out.end(), m.gradients().begin(), m.gradients().end());
  return out;
}

}  // namespace

TEMPLATE_TEST_CASE("layer_norm, group_norm and rms_norm fused into dense: the unfused bits", "[norm][row_norm_fusion]",
                   float, double) {
  fuse_setting keep;
  for (int threads : {1, 2}) {
    const int saved = ctnn::num_threads();
    ctnn::set_num_threads(threads);
    for (std::size_t batch : {1, 7, 300})
      for (auto mode : {ctnn::mode::train, ctnn::mode::eval}) {
        INFO("threads " << threads << " batch " << batch << (mode == ctnn::mode::train ? " train" : " eval"));
        const auto fused = run<TestType>(true, mode, batch), unfused = run<TestType>(false, mode, batch);
        REQUIRE(fused.size() == unfused.size());
        CHECK(fused == unfused);
      }
    ctnn::set_num_threads(saved);
  }
}

// Not run by default: `test_norm "[row_norm_fusion_speed]"`. A training step (forward, backward)
// and a forward alone on 784-256-LN-relu-256-LN-relu-10, fused vs unfused, median of 9 each,
// interleaved in one run.
TEST_CASE("layer_norm fusion: speed", "[.][row_norm_fusion_speed]") {
  fuse_setting keep;
  using net = ctnn::sequential<ctnn::input<784>, ctnn::dense<256, ctnn::init::kaiming_normal<>, ctnn::norm::layer_norm<>>,
                               ctnn::relu, ctnn::dense<256, ctnn::init::kaiming_normal<>, ctnn::norm::layer_norm<>>,
                               ctnn::relu, ctnn::dense<10>>;
  ctnn::model<net> m{ctnn::seed{1}};
  for (std::size_t batch : {64, 256}) {
    std::vector<float> x(batch * 784), t(batch * 10, 0.1f);
    ctnn::rng g(3);
    for (auto& v : x) v = static_cast<float>(g.normal());
    auto time = [&](bool fuse, bool step) {
      ctnn::fuse_row_norm = fuse;
      std::vector<double> us;
      for (int k = 0; k < 12; ++k) {
        const auto t0 = std::chrono::steady_clock::now();
        const float* y = m.forward(x.data(), batch);
        if (step) {
          ctnn::loss::mse::value_and_grad(y, t.data(), batch, 10, m.output_gradient());
          m.backward(m.output_gradient());
        }
        const auto t1 = std::chrono::steady_clock::now();
        if (k >= 3) us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
      }
      std::sort(us.begin(), us.end());
      return us[us.size() / 2];
    };
    m.train();
    for (bool step : {false, true}) {
      double u = 1e300, f = 1e300;
      for (int round = 0; round < 3; ++round) u = std::min(u, time(false, step)), f = std::min(f, time(true, step));
      WARN((step ? "forward+backward" : "forward") << " batch " << batch << ", 784-256-LN-relu-256-LN-relu-10, "
                                                   << ctnn::num_threads() << " thread(s): unfused " << u << " us, fused "
                                                   << f << " us, speedup " << u / f);
    }
  }
}
