// Zero-γ (Goyal et al. 2017): after apply_zero_gamma the last norm layer of every residual branch
// has γ = 0, so every block whose branch ends with that norm (then, at most, an activation with
// Act(0) = 0) is exactly the identity: y == x bit for bit, in training and in evaluation mode.
// Every other parameter, other norms' γ included, is as the ordinary init left it.
#include <catch2/catch.hpp>
#include <algorithm>
#include <string>
#include <vector>
#include <ctnn/ctnn.hpp>

namespace {

constexpr std::size_t W = 16;
using bn = ctnn::norm::batch_norm<>;
using ln = ctnn::norm::layer_norm<>;
// Two norms per branch: only the second is zeroed. Nested: a residual inside a branch.
using block_bn = ctnn::residual<ctnn::dense<W>, bn, ctnn::relu, ctnn::dense<W>, bn>;
using block_ln_relu = ctnn::residual<ctnn::dense<W>, ln, ctnn::relu, ctnn::dense<W>, ctnn::norm::rms_norm<>, ctnn::relu>;
using block_gn = ctnn::residual<ctnn::dense<W, ctnn::init::kaiming_normal<>, ctnn::norm::group_norm<4>>>;
using block_nested = ctnn::residual<ctnn::dense<W>, bn, ctnn::relu, block_bn, ctnn::dense<W>, bn>;
using net = ctnn::sequential<ctnn::input<10>, ctnn::dense<W>, bn, ctnn::relu, block_bn, block_ln_relu, block_gn,
                             block_nested, ctnn::dense<5>>;
using model_t = ctnn::model<net, double>;
using root = model_t::root;
static_assert(root::n == 8);  // dense, bn, relu, 4 blocks, classifier

std::vector<double> data(std::size_t b) {
  ctnn::rng g(5);
  std::vector<double> x(b * 10);
  for (auto& v : x) v = 1.5 * g.normal() + 0.2;
  return x;
}

}  // namespace

TEST_CASE("zero_gamma: the last norm of every residual branch starts at γ = 0, each block is the identity",
          "[init][zero_gamma]") {
  model_t m{ctnn::seed{3}};
  const model_t before{ctnn::seed{3}};
  const auto r = ctnn::init::apply_zero_gamma(m);
  CHECK(r.blocks == 5);  // 4 top-level blocks and the one nested in block_nested
  CHECK(r.zeroed == 5);

  // Exactly the last norms' γ changed (listed by name); every other element compared bit for bit.
  const std::vector<std::string> zeroed{"3.4.weight", "4.4.weight", "5.1.weight", "6.5.weight", "6.3.4.weight"};
  std::vector<bool> expect_zero(model_t::parameter_count, false);
  for (const auto& name : zeroed) {
    const auto& s = model_t::slot(name);
    INFO(name);
    REQUIRE(s.rows == W);
    for (std::size_t i = 0; i < s.size(); ++i) expect_zero[s.offset + i] = true;
  }
  for (std::size_t i = 0; i < model_t::parameter_count; ++i) {
    if (expect_zero[i]) REQUIRE(m.parameters()[i] == 0.0);
    else REQUIRE(m.parameters()[i] == before.parameters()[i]);
  }
  // The untouched γ's are still 1 (not vacuous: they are norms too).
  for (const char* name : {"1.weight", "3.1.weight", "4.1.weight", "6.1.weight", "6.3.1.weight"})
    for (double g : m.parameter(name)) REQUIRE(g == 1.0);

  constexpr std::size_t B = 32;
  const auto x = data(B);
  for (auto mode : {ctnn::mode::train, ctnn::mode::eval}) {
    m.set_mode(mode);
    m.forward(x.data(), B);
    const auto in = ctnn::init::top_level_inputs(m, x.data());
    for (std::size_t k = 3; k <= 6; ++k) {
      INFO("block at top-level layer " << k << (mode == ctnn::mode::train ? ", training" : ", evaluation"));
      CHECK(std::equal(in[k], in[k] + B * W, in[k + 1]));  // y == x exactly
    }
    m.detach_input();
  }
  // Control: without zero-γ the blocks are not the identity.
  model_t control{ctnn::seed{3}};
  control.forward(x.data(), B);
  const auto cin = ctnn::init::top_level_inputs(control, x.data());
  for (std::size_t k = 3; k <= 6; ++k) CHECK_FALSE(std::equal(cin[k], cin[k] + B * W, cin[k + 1]));
  control.detach_input();
}
