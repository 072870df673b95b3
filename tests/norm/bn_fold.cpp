// Batch-norm folding (graph/chain_node.hpp): in evaluation, dense (no activation) → batch_norm
// [→ activation] runs as one dense kernel with W' = a ⊙ W, b' = a ⊙ (b − μ) + β,
// a = γ/√(running_var + ε). It must agree with the unfused computation (ctnn::fold_batch_norm =
// false) to a bound derived from rounding, in float and double; training is untouched; an
// evaluation-mode backward after a folded forward still gives the unfused gradients.
//
// Bound, per output element j of a sample (u = unit roundoff of S, fma dot products):
// with A_j = |a_j| (Σ_i |W_ji x_i| + |b_j| + |μ_j|) + |β_j|, the unfused path (the GEMM's In-term
// chain plus bias, then (z − μ)·inv·γ + β) and the folded one (W' and b' each a few roundings
// off, then the In-term chain plus b') are each within (In + 10)·u·A_j of the exact value, so
// they differ by at most 2 (In + 10) u A_j. relu and identity add nothing; tanh is 1-Lipschitz,
// plus its own rounding on both sides (a few ulps: 8u|y| + u, a generous allowance).
#include <catch2/catch.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <vector>
#include <ctnn/ctnn.hpp>

namespace {

using xavier = ctnn::init::xavier_uniform<>;
using bn = ctnn::norm::batch_norm<0.3>;

/// Restores ctnn::fold_batch_norm when a test ends, whatever happens.
struct fold_setting {
  bool saved = ctnn::fold_batch_norm;
  ~fold_setting() { ctnn::fold_batch_norm = saved; }
};

/// A model whose running statistics, γ and β are away from their initial values.
template <class Model>
void prepare(Model& m, std::size_t in, std::uint64_t seed) {
  using S = typename Model::scalar;
  ctnn::rng g(seed);
  std::vector<S> x(16 * in);
  for (auto& v : x) v = static_cast<S>(2 * g.normal() + 0.5);
  m.train();
  for (int k = 0; k < 4; ++k) m.forward(x.data(), 16);
  m.detach_input();
  for (const auto& s : Model::slots)
    if (s.rank == 1)  // γ (and biases) random, β too
      for (std::size_t i = 0; i < s.size(); ++i)
        m.parameters()[s.offset + i] = static_cast<S>(s.role == ctnn::slot_role::weight ? g.uniform(0.5, 1.5) : g.uniform(-1, 1));
}

/// Checks fused vs unfused for a one-block net: input<In>, dense<Out>, batch_norm[, Act].
template <class S, std::size_t In, std::size_t Out, class Net>
void check_block(bool tanh_act) {
  fold_setting keep;
  using model_t = ctnn::model<Net, S>;
  model_t m{ctnn::seed{5}};
  prepare(m, In, 7);
  constexpr std::size_t B = 48;  // ≥ In: folding runs
  ctnn::rng g(3);
  std::vector<S> x(B * In);
  for (auto& v : x) v = static_cast<S>(1.5 * g.normal());
  m.eval();
  ctnn::fold_batch_norm = false;
  const S* y0 = m.forward(x.data(), B);
  const std::vector<S> ref(y0, y0 + B * Out);
  ctnn::fold_batch_norm = true;
  const S* y = m.forward(x.data(), B);
  m.detach_input();

  auto w = m.parameter("0.weight");
  auto b = m.parameter("0.bias");
  auto gamma = m.parameter("1.weight");
  auto beta = m.parameter("1.bias");
  auto mu = m.buffer("1.running_mean");
  auto var = m.buffer("1.running_var");
  const double u = std::numeric_limits<S>::epsilon() / 2;
  std::size_t differ = 0;
  for (std::size_t s = 0; s < B; ++s)
    for (std::size_t j = 0; j < Out; ++j) {
      const double a = std::abs(double(gamma(j))) / std::sqrt(double(var(j)) + 1e-5);
      double sum = std::abs(double(b(j))) + std::abs(double(mu(j)));
      for (std::size_t i = 0; i < In; ++i) sum += std::abs(double(w(j, i)) * double(x[s * In + i]));
      const double A = a * sum + std::abs(double(beta(j)));
      double bound = 2 * (double(In) + 10) * u * A;
      const double yr = ref[s * Out + j], yf = y[s * Out + j];
      if (tanh_act) bound += 8 * u * std::abs(yr) + u;
      INFO("sample " << s << " feature " << j << ": folded " << yf << " unfused " << yr << " bound " << bound);
      REQUIRE(std::abs(yf - yr) <= bound);
      differ += yf != yr;
    }
  if constexpr (std::is_same_v<S, float>) CHECK(differ > 0);  // the folded path did run
}

template <class Act>
using block_act = ctnn::sequential<ctnn::input<40>, ctnn::dense<24, xavier>, bn, Act>;
using block_plain = ctnn::sequential<ctnn::input<40>, ctnn::dense<24, xavier>, bn>;
using block_policy = ctnn::sequential<ctnn::input<40>, ctnn::dense<24, xavier, bn>, ctnn::tanh>;

}  // namespace

TEMPLATE_TEST_CASE("batch_norm folds into the dense layer in evaluation, within rounding", "[norm][bn_fold]", float,
                   double) {
  check_block<TestType, 40, 24, block_act<ctnn::relu>>(false);
  check_block<TestType, 40, 24, block_plain>(false);
  check_block<TestType, 40, 24, block_policy>(true);
}

namespace {
using deep_net = ctnn::sequential<ctnn::input<12>, ctnn::dense<16, xavier, bn>, ctnn::relu,
                                  ctnn::residual<ctnn::dense<16, xavier>, bn, ctnn::tanh, ctnn::dense<16, xavier>, bn>,
                                  ctnn::dense<10, xavier>, bn, ctnn::dense<4, xavier>>;
}

TEST_CASE("batch_norm folding: training untouched, evaluation backward unchanged", "[norm][bn_fold]") {
  fold_setting keep;
  using model_t = ctnn::model<deep_net, double>;
  constexpr std::size_t B = 20;  // ≥ every In (12, 16): folding runs
  ctnn::rng g(1);
  std::vector<double> x(B * 12), t(B * 4);
  for (auto& v : x) v = g.normal();
  for (auto& v : t) v = g.uniform(-1, 1);
  auto run = [&](bool fold, ctnn::mode mode) {
    ctnn::fold_batch_norm = fold;
    model_t m{ctnn::seed{2}};
    prepare(m, 12, 4);
    m.set_mode(mode);
    const double* y = m.forward(x.data(), B);
    std::vector<double> out(y, y + B * 4);
    ctnn::loss::mse::value_and_grad(y, t.data(), B, 4, m.output_gradient());
    m.backward(m.output_gradient());
    out.insert(out.end(), m.gradients().begin(), m.gradients().end());
    for (const auto& d : model_t::buffer_slots)  // the named ones (the folded W', b' are scratch)
      out.insert(out.end(), m.buffers().begin() + d.offset, m.buffers().begin() + d.offset + d.size());
    return out;
  };
  // Training: bit for bit the same with folding on and off (outputs, gradients, running stats).
  CHECK(run(true, ctnn::mode::train) == run(false, ctnn::mode::train));
  // Evaluation: outputs within rounding, gradients (recomputed state) to the same few ulps.
  const auto a = run(true, ctnn::mode::eval), b = run(false, ctnn::mode::eval);
  REQUIRE(a.size() == b.size());
  double worst = 0, scale = 0;
  for (std::size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::abs(a[i] - b[i])), scale = std::max(scale, std::abs(b[i]));
  INFO("largest difference " << worst << " of values up to " << scale);
  CHECK(worst <= 1e-12 * scale);
  CHECK(worst > 0);  // the folded path ran
}

TEST_CASE("batch_norm folding: a layer folds only when the batch reaches its input width", "[norm][bn_fold]") {
  // Below In, W' would cost more than the passes it saves: the unfused path runs, bit for bit.
  fold_setting keep;
  using model_t = ctnn::model<block_act<ctnn::relu>, float>;  // In = 40
  model_t m{ctnn::seed{5}};
  prepare(m, 40, 7);
  m.eval();
  ctnn::rng g(3);
  for (std::size_t batch : {1, 39}) {
    std::vector<float> x(batch * 40);
    for (auto& v : x) v = static_cast<float>(g.normal());
    ctnn::fold_batch_norm = false;
    const float* y0 = m.forward(x.data(), batch);
    const std::vector<float> ref(y0, y0 + batch * 24);
    ctnn::fold_batch_norm = true;
    const float* y = m.forward(x.data(), batch);
    CHECK(std::equal(ref.begin(), ref.end(), y));
  }
  m.detach_input();
}

// Not run by default: `test_norm "[bn_fold_speed]"`. Eval-mode predict on
// 784-256-BN-relu-256-BN-relu-10, folded vs unfused, median of 7 each, interleaved in one run;
// batch 256 (the reported figure), then 64 and 1024.
TEST_CASE("batch_norm folding: evaluation speed", "[.][bn_fold_speed]") {
  fold_setting keep;
  using net = ctnn::sequential<ctnn::input<784>, ctnn::dense<256>, ctnn::norm::batch_norm<>, ctnn::relu, ctnn::dense<256>,
                               ctnn::norm::batch_norm<>, ctnn::relu, ctnn::dense<10>>;
  ctnn::model<net> m{ctnn::seed{1}};
  prepare(m, 784, 2);
  for (std::size_t batch : {256, 64, 1024}) {
    xt::xtensor<float, 2> x = xt::zeros<float>({batch, std::size_t{784}});
    ctnn::rng g(3);
    for (auto& v : x) v = static_cast<float>(g.normal());
    auto time_predict = [&](bool fold) {
      ctnn::fold_batch_norm = fold;
      for (int k = 0; k < 3; ++k) (void)m.predict(x);  // warm-up
      std::vector<double> ms;
      for (int k = 0; k < 7; ++k) {
        const auto t0 = std::chrono::steady_clock::now();
        auto y = m.predict(x);
        const auto t1 = std::chrono::steady_clock::now();
        ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
        CHECK(y(0, 0) == y(0, 0));
      }
      std::sort(ms.begin(), ms.end());
      return ms[3];
    };
    // Interleaved, twice, so drift on a shared machine hits both.
    const double u1 = time_predict(false), f1 = time_predict(true), u2 = time_predict(false), f2 = time_predict(true);
    const double unfused = std::min(u1, u2), fused = std::min(f1, f2);
    WARN("predict batch " << batch << ", 784-256-BN-relu-256-BN-relu-10, median of 7: unfused " << unfused
                          << " ms, folded " << fused << " ms, speedup " << unfused / fused);
  }
}
