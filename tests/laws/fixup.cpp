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
