// LSUV (Mishkin & Matas 2016): after apply_lsuv on a calibration batch, every top-level dense
// layer's pre-activation variance on a FRESH batch is within tol of 1, up to batch sampling.
// Bound: with weights fixed, Var(z) on a batch is (to O(1/N)) the mean over its B samples of
// q_i = (1/W)·Σ_o (z_io − m)², samples i.i.d.; so the calibration and the fresh estimate each have
// standard error SE = sd(q)/√B and their difference √2·SE. The fit leaves |V_cal − 1| < tol, so
// |V_fresh − 1| < tol + 5·√2·SE (SE estimated from the fresh batch): a correct LSUV fails with
// probability < 1e-6, a layer left unscaled (variance off by ×2 or more here) fails for sure.
#include <catch2/catch.hpp>
#include <cmath>
#include <vector>
#include <ctnn/ctnn.hpp>

namespace {

using lsuv = ctnn::init::lsuv<0.05, 20>;
using net = ctnn::sequential<ctnn::input<32>, ctnn::dense<64, lsuv>, ctnn::relu, ctnn::dense<48, lsuv>, ctnn::tanh,
                             ctnn::dense<64, lsuv>, ctnn::relu, ctnn::dense<10, lsuv>>;

/// Non-white data: features with different scales and offsets, and a shared component.
std::vector<float> batch_of(std::size_t b, std::uint64_t seed) {
  ctnn::rng g(seed);
  std::vector<float> x(b * 32);
  for (std::size_t i = 0; i < b; ++i) {
    const double common = g.normal();
    for (std::size_t j = 0; j < 32; ++j)
      x[i * 32 + j] = static_cast<float>((0.2 + 0.15 * j) * (g.normal() + 0.5 * common) + 0.1 * j);
  }
  return x;
}

struct stats { double variance, se; };

/// Var(z) over batch × out and the standard error of that estimate from per-sample spreads.
stats preactivation_stats(const float* x, const float* w, const float* b, std::size_t batch, std::size_t in,
                          std::size_t out) {
  std::vector<double> z(batch * out);
  double mean = 0;
  for (std::size_t i = 0; i < batch; ++i)
    for (std::size_t o = 0; o < out; ++o) {
      double v = b[o];
      for (std::size_t k = 0; k < in; ++k) v += double(x[i * in + k]) * double(w[o * in + k]);
      z[i * out + o] = v;
      mean += v;
    }
  mean /= double(batch * out);
  std::vector<double> q(batch, 0.0);
  for (std::size_t i = 0; i < batch; ++i) {
    for (std::size_t o = 0; o < out; ++o) q[i] += (z[i * out + o] - mean) * (z[i * out + o] - mean);
    q[i] /= double(out);
  }
  double qm = 0;
  for (double v : q) qm += v;
  qm /= double(batch);
  double qv = 0;
  for (double v : q) qv += (v - qm) * (v - qm);
  qv /= double(batch - 1);
  return {qm, std::sqrt(qv / double(batch))};
}

}  // namespace

TEST_CASE("lsuv: the policy fills as orthogonal<1> before calibration", "[init][lsuv]") {
  ctnn::model<net> a{ctnn::seed{3}};
  ctnn::model<ctnn::sequential<ctnn::input<32>, ctnn::dense<64, ctnn::init::orthogonal<>>, ctnn::relu,
                               ctnn::dense<48, ctnn::init::orthogonal<>>, ctnn::tanh,
                               ctnn::dense<64, ctnn::init::orthogonal<>>, ctnn::relu,
                               ctnn::dense<10, ctnn::init::orthogonal<>>>>
      b{ctnn::seed{3}};
  REQUIRE(std::equal(a.parameters().begin(), a.parameters().end(), b.parameters().begin()));
}

TEST_CASE("lsuv: every layer's pre-activation variance on a fresh batch is 1 within tol", "[init][lsuv]") {
  constexpr std::size_t B = 1024;
  ctnn::model<net> m{ctnn::seed{7}};
  const auto cal = batch_of(B, 1);
  const auto reports = ctnn::init::apply_lsuv<lsuv>(m, cal.data(), B);
  REQUIRE(reports.size() == 4);
  for (const auto& r : reports) {
    INFO("module " << r.module << ": variance " << r.variance << " after " << r.iterations << " rescalings");
    CHECK(r.converged);
    CHECK(std::abs(r.variance - 1) < lsuv::tol);
  }
  CHECK(reports[0].iterations >= 1);  // the data's scale is far from 1: the first layer was rescaled

  const auto fresh = batch_of(B, 2);
  m.forward(fresh.data(), B);
  const auto inputs = ctnn::init::top_level_inputs(m, fresh.data());
  using root = ctnn::model<net>::root;
  std::size_t checked = 0;
  auto layer = [&]<std::size_t K>(std::integral_constant<std::size_t, K>) {
    using node = typename root::template child<K>;
    const float* w = m.parameters().data() + root::param_offset[K];
    const auto s = preactivation_stats(inputs[K], w, w + node::bias_offset, B, node::in, node::out);
    const double bound = lsuv::tol + 5 * std::sqrt(2.0) * s.se;
    INFO("layer " << K << ": fresh variance " << s.variance << ", standard error " << s.se << ", bound " << bound);
    CHECK(std::abs(s.variance - 1) < bound);
    CHECK(bound < 0.25);  // the bound is tight enough to mean something
    ++checked;
  };
  [&]<std::size_t... K>(std::index_sequence<K...>) {
    (layer(std::integral_constant<std::size_t, K>{}), ...);
  }(std::make_index_sequence<root::n>{});
  CHECK(checked == 4);
  m.detach_input();
}

TEST_CASE("lsuv: without calibration the variances are far from 1", "[init][lsuv]") {
  // The control: the test above would not pass for the orthogonal pre-initialization alone.
  constexpr std::size_t B = 1024;
  ctnn::model<net> m{ctnn::seed{7}};
  const auto x = batch_of(B, 2);
  m.forward(x.data(), B);
  const auto inputs = ctnn::init::top_level_inputs(m, x.data());
  using root = ctnn::model<net>::root;
  const float* w = m.parameters().data();
  const double v0 = ctnn::init::preactivation_variance(inputs[0], w, w + root::child<0>::bias_offset, B, 32, 64);
  CHECK(std::abs(v0 - 1) > 0.5);
  m.detach_input();
}

namespace {
// Dense layers inside residual blocks, nested two deep, and in a projection shortcut.
using res_net = ctnn::sequential<
    ctnn::input<32>, ctnn::dense<64, lsuv>, ctnn::relu,
    ctnn::residual<ctnn::dense<48, lsuv>, ctnn::tanh, ctnn::dense<64, lsuv>>, ctnn::relu,
    ctnn::residual<ctnn::dense<64, lsuv>, ctnn::relu,
                   ctnn::residual<ctnn::dense<40, lsuv>, ctnn::tanh, ctnn::dense<64, lsuv>>, ctnn::dense<64, lsuv>>,
    ctnn::residual<ctnn::shortcut<ctnn::dense<48, lsuv>>, ctnn::dense<48, lsuv>, ctnn::relu, ctnn::dense<48, lsuv>>,
    ctnn::dense<10, lsuv>>;
using res_model = ctnn::model<res_net>;

/// Every plain dense layer's input and weights after a forward, found independently of
/// apply_lsuv: from the chains' state layouts (child outputs, then a residual block's f(x) and its
/// body's state), checked against what the forward computed (a block's output is x + f(x)).
struct dense_site { std::string path; const float* in; const float* w; const float* b; std::size_t n_in, n_out; };
template <class Chain>
void sites(const float* p, const float* x, const float* state, std::size_t batch, const std::string& prefix,
           std::size_t module_base, std::vector<dense_site>& out) {
  auto layer = [&]<std::size_t K>(std::integral_constant<std::size_t, K>) {
    using node = typename Chain::template child<K>;
    const float* in = x;
    if constexpr (K > 0) in = state + Chain::layout.out_offset[K - 1] * batch;
    const std::string path = prefix + std::to_string(module_base + Chain::module_start[K]);
    if constexpr (ctnn::detail::is_plain_dense_node<node>::value) {
      const float* w = p + Chain::param_offset[K];
      out.push_back({path, in, w, w + node::bias_offset, node::in, node::out});
    } else if constexpr (requires { typename node::body_type; }) {
      const float* fx = state + Chain::layout.internal_offset[K] * batch;
      using body = typename node::body_type;
      const float* sx = in;  // the shortcut's output: x, or s(x) after the body's state
      if constexpr (requires { typename node::shortcut_type; }) sx = fx + (node::out + body::internal) * batch;
      if constexpr (K + 1 < Chain::n) {  // the block's output s(x) + f(x): the layout is read right
        const float* y = state + Chain::layout.out_offset[K] * batch;
        for (std::size_t i = 0; i < batch * node::out; ++i) REQUIRE(y[i] == sx[i] + fx[i]);
      }
      sites<body>(p + Chain::param_offset[K], in, fx + node::out * batch, batch, path + ".", 0, out);
      if constexpr (requires { typename node::shortcut_type; })
        sites<typename node::shortcut_type>(p + Chain::param_offset[K] + body::params, in, sx + node::out * batch, batch,
                                            path + ".", body::modules, out);
    }
  };
  [&]<std::size_t... K>(std::index_sequence<K...>) {
    (layer(std::integral_constant<std::size_t, K>{}), ...);
  }(std::make_index_sequence<Chain::n>{});
}
}  // namespace

TEST_CASE("lsuv: dense layers inside residual blocks (nested, projection shortcuts) reach unit variance on a fresh batch",
          "[init][lsuv]") {
  constexpr std::size_t B = 1024;
  res_model m{ctnn::seed{7}};
  const auto cal = batch_of(B, 1);
  const auto reports = ctnn::init::apply_lsuv<lsuv>(m, cal.data(), B);
  std::vector<std::string> paths;
  for (const auto& r : reports) paths.push_back(r.path);
  CHECK(paths == std::vector<std::string>{"0", "2.0", "2.2", "4.0", "4.2.0", "4.2.2", "4.3", "5.0", "5.2", "5.3", "6"});
  CHECK(reports[4].module == 4);  // nested: the enclosing top-level block's index
  for (const auto& r : reports) {
    INFO(r.path << ": variance " << r.variance << " after " << r.iterations << " rescalings");
    CHECK(r.converged);
  }

  const auto fresh = batch_of(B, 2);
  m.forward(fresh.data(), B);
  std::vector<dense_site> found;
  const float* state = ctnn::init::top_level_inputs(m, fresh.data())[1];
  sites<res_model::root>(m.parameters().data(), fresh.data(), state, B, "", 0, found);
  REQUIRE(found.size() == 11);
  // One nested input checked by hand: block 4's inner block (4.2) starts from relu(z of 4.0).
  {
    const auto& a = found[3];  // 4.0: dense<64> + relu, its output is 4.2's input, 4.2.0's input
    const float* y = found[4].in;
    for (std::size_t i = 0; i < 8; ++i)
      for (std::size_t o = 0; o < 64; ++o) {
        double z = a.b[o];
        for (std::size_t k = 0; k < a.n_in; ++k) z += double(a.in[i * a.n_in + k]) * double(a.w[o * a.n_in + k]);
        REQUIRE(y[i * 64 + o] == Approx(std::max(z, 0.0)).margin(1e-4));
      }
  }
  for (const auto& s : found) {
    const auto st = preactivation_stats(s.in, s.w, s.b, B, s.n_in, s.n_out);
    const double bound = lsuv::tol + 5 * std::sqrt(2.0) * st.se;
    INFO(s.path << ": fresh variance " << st.variance << ", standard error " << st.se << ", bound " << bound);
    CHECK(std::abs(st.variance - 1) < bound);
    CHECK(bound < 0.25);
  }
  m.detach_input();
}
