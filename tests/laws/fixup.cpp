// Fixup (Zhang et al. 2019): after apply_fixup, every residual branch outputs exactly 0 and the
// logits are exactly 0 (not merely small: the zeroed layers multiply by 0 and add 0), and the
// branches' other dense layers are their initial weights times L^(−1/(2m−2)).
#include <catch2/catch.hpp>
#include <cmath>
#include <vector>
#include <ctnn/ctnn.hpp>

namespace {

constexpr std::size_t W = 24;
using branch3 = ctnn::residual<ctnn::dense<W>, ctnn::relu, ctnn::dense<W>, ctnn::tanh, ctnn::dense<W>>;  // m = 3
using branch1 = ctnn::residual<ctnn::dense<W, ctnn::init::with_bias<ctnn::init::xavier_normal<>, ctnn::init::constant<0.3>>>>;
using net = ctnn::sequential<ctnn::input<12>, ctnn::dense<W>, ctnn::relu, ctnn::repeat<3, branch3>, branch1,
                             ctnn::dense<7, ctnn::init::with_bias<ctnn::init::kaiming_normal<>, ctnn::init::constant<0.1>>>>;
using model_t = ctnn::model<net, double>;
using root = model_t::root;
static_assert(root::n == 6);  // stem, 3 × branch3, branch1, classifier
// The branch as a network of its own: same layers, same parameter layout as the block's body.
using branch3_net = ctnn::sequential<ctnn::input<W>, ctnn::dense<W>, ctnn::relu, ctnn::dense<W>, ctnn::tanh, ctnn::dense<W>>;
using branch1_net = ctnn::sequential<ctnn::input<W>, ctnn::dense<W>>;
static_assert(ctnn::model<branch3_net>::parameter_count == root::child<1>::params);

std::vector<double> data(std::size_t b) {
  ctnn::rng g(11);
  std::vector<double> x(b * 12);
  for (auto& v : x) v = 2 * g.normal() + 0.3;
  return x;
}

template <class BranchNet>
void check_branch_is_zero(model_t& m, std::size_t k, const double* in, std::size_t batch) {
  ctnn::model<BranchNet, double> b;
  const double* p = m.parameters().data() + root::param_offset[k];
  std::copy(p, p + ctnn::model<BranchNet, double>::parameter_count, b.parameters().begin());
  const double* f = b.forward(in, batch);
  std::size_t nonzero = 0;
  for (std::size_t i = 0; i < batch * W; ++i) nonzero += f[i] != 0.0;
  INFO("branch at top-level layer " << k);
  CHECK(nonzero == 0);
  b.detach_input();
}

}  // namespace

TEST_CASE("fixup: residual branches and logits are exactly 0 at init", "[init][fixup]") {
  model_t m{ctnn::seed{4}};
  model_t before{ctnn::seed{4}};
  const auto r = ctnn::init::apply_fixup(m);
  CHECK(r.branches == 4);
  CHECK(r.classifier_zeroed);

  constexpr std::size_t B = 64;
  const auto x = data(B);
  const double* y = m.forward(x.data(), B);
  for (std::size_t i = 0; i < B * 7; ++i) REQUIRE(y[i] == 0.0);
  // Before fixup the same logits are not 0 (the check above is not vacuous).
  model_t control{ctnn::seed{4}};
  const double* yc = control.forward(x.data(), B);
  CHECK(std::any_of(yc, yc + B * 7, [](double v) { return v != 0.0; }));
  control.detach_input();

  // Each block's input (the previous top-level output) through its branch alone gives 0.
  const auto in = ctnn::init::top_level_inputs(m, x.data());
  check_branch_is_zero<branch3_net>(m, 1, in[1], B);
  check_branch_is_zero<branch3_net>(m, 2, in[2], B);
  check_branch_is_zero<branch3_net>(m, 3, in[3], B);
  check_branch_is_zero<branch1_net>(m, 4, in[4], B);
  // So every block is the identity: its output equals its input.
  for (std::size_t k = 1; k <= 4; ++k) CHECK(std::equal(in[k], in[k] + B * W, in[k + 1]));
  m.detach_input();

  // The other branch layers: initial weights × L^(−1/(2m−2)) = 4^(−1/4); the stem untouched.
  const double scale = std::pow(4.0, -0.25);
  for (const char* name : {"2.0.weight", "2.2.weight", "3.0.weight", "4.2.weight"}) {
    auto a = m.parameter(name);
    auto b = before.parameter(name);
    INFO(name);
    for (std::size_t i = 0; i < a.size(); ++i) REQUIRE(a.flat(i) == b.flat(i) * scale);
  }
  CHECK(std::equal(m.parameters().begin(), m.parameters().begin() + root::param_offset[1], before.parameters().begin()));
}

namespace {
// Fixup with its scalars (§3): a scalar bias before each linear layer and activation of the
// branch, a scalar multiplier after its last layer.
constexpr std::size_t FW = 32;
using sb = ctnn::scalar_bias;
using fixup_block = ctnn::residual<sb, ctnn::dense<FW>, sb, ctnn::relu, sb, ctnn::dense<FW>, ctnn::scalar_scale, sb>;
using fixup_net = ctnn::sequential<ctnn::input<12>, ctnn::dense<FW>, ctnn::relu, ctnn::repeat<4, fixup_block>,
                                   sb, ctnn::dense<3>>;
using fixup_model = ctnn::model<fixup_net, double>;
using fixup_branch = ctnn::sequential<ctnn::input<FW>, sb, ctnn::dense<FW>, sb, ctnn::relu, sb, ctnn::dense<FW>,
                                      ctnn::scalar_scale, sb>;
static_assert(ctnn::model<fixup_branch>::parameter_count == fixup_model::root::child<1>::params);
}  // namespace

TEST_CASE("fixup with scalar multiplier and biases: exact zeros at init, then it trains", "[init][fixup]") {
  fixup_model m{ctnn::seed{8}};
  // Scalars away from their init first: apply_fixup must put them back (multiplier 1, biases 0).
  for (const auto& s : fixup_model::slots)
    if (s.size() == 1) m.parameters()[s.offset] = 0.25;
  const auto r = ctnn::init::apply_fixup(m);
  CHECK(r.branches == 4);
  CHECK(r.classifier_zeroed);
  CHECK(r.scalar_scales == 4);
  CHECK(r.scalar_biases == 16);
  for (std::size_t b = 2; b < 6; ++b) {
    CHECK(m.parameter(std::to_string(b) + ".6.scale")(0) == 1.0);
    for (int j : {0, 2, 4, 7}) CHECK(m.parameter(std::to_string(b) + "." + std::to_string(j) + ".bias")(0) == 0.0);
  }
  CHECK(m.parameter("6.bias")(0) == 0.25);  // outside the branches: not Fixup's, left alone

  // Synthetic 3-class problem: the class is the argmax of three fixed projections.
  constexpr std::size_t B = 128;
  ctnn::rng g(21);
  std::vector<double> x(B * 12);
  std::vector<std::int32_t> t(B);
  for (std::size_t i = 0; i < B; ++i) {
    double s[3] = {0, 0, 0};
    for (std::size_t j = 0; j < 12; ++j) {
      x[i * 12 + j] = g.normal();
      s[j % 3] += x[i * 12 + j] * (j < 6 ? 1.0 : -0.5);
    }
    t[i] = static_cast<std::int32_t>(std::max_element(s, s + 3) - s);
  }
  const double* y = m.forward(x.data(), B);
  for (std::size_t i = 0; i < B * 3; ++i) REQUIRE(y[i] == 0.0);  // logits exactly 0
  const auto in = ctnn::init::top_level_inputs(m, x.data());
  for (std::size_t k = 1; k <= 4; ++k) {
    ctnn::model<fixup_branch, double> b;
    const double* p = m.parameters().data() + fixup_model::root::param_offset[k];
    std::copy(p, p + ctnn::model<fixup_branch, double>::parameter_count, b.parameters().begin());
    const double* f = b.forward(in[k], B);
    INFO("branch " << k);
    CHECK(std::all_of(f, f + B * FW, [](double v) { return v == 0.0; }));  // branch output exactly 0
    CHECK(std::equal(in[k], in[k] + B * FW, in[k + 1]));                     // block = identity
    b.detach_input();
  }
  m.detach_input();

  ctnn::trainer tr{m, ctnn::loss::softmax_cross_entropy{}, ctnn::optim::sgd{.lr = 0.05f, .momentum = 0.9f}};
  const double first = tr.step(x.data(), t.data(), B);
  CHECK(first == Approx(std::log(3.0)).epsilon(1e-12));  // zero logits: uniform prediction
  double last = first;
  for (int k = 0; k < 60; ++k) last = tr.step(x.data(), t.data(), B);
  INFO("loss " << first << " → " << last);
  CHECK(last < 0.5 * first);
  // The scalars learned too (they receive gradient once the zeroed layers move).
  CHECK(m.parameter("2.6.scale")(0) != 1.0);
  CHECK(m.parameter("2.0.bias")(0) != 0.0);
}
