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

namespace {
// Convolutional blocks: BatchNorm2d (batch_norm per pixel) after conv2d, an identity block and a
// downsampling block with a projection shortcut (conv 1×1 stride 2 + BatchNorm2d).
using he = ctnn::init::kaiming_normal<>;
using conv_net = ctnn::sequential<
    ctnn::input<2, 6, 6>, ctnn::conv2d<4, 3, 1, 1, he, bn>, ctnn::relu,
    ctnn::residual<ctnn::conv2d<4, 3, 1, 1, he, bn>, ctnn::relu, ctnn::conv2d<4, 3, 1, 1, he, bn>>,
    ctnn::residual<ctnn::shortcut<ctnn::conv2d<8, 1, 2, 0, he, bn>>, ctnn::conv2d<8, 3, 2, 1, he, bn>, ctnn::relu,
                   ctnn::conv2d<8, 3, 1, 1, he, bn>>,
    ctnn::flatten, ctnn::dense<3>>;
}  // namespace

TEST_CASE("zero_gamma: BatchNorm2d in conv residual blocks, projection shortcuts included", "[init][zero_gamma]") {
  using model_t = ctnn::model<conv_net, double>;
  model_t m{ctnn::seed{3}};
  const model_t before{ctnn::seed{3}};
  const auto r = ctnn::init::apply_zero_gamma(m);
  CHECK(r.blocks == 2);
  CHECK(r.zeroed == 2);
  std::vector<bool> expect_zero(model_t::parameter_count, false);
  for (const char* name : {"3.4.weight", "4.4.weight"}) {
    const auto& s = model_t::slot(name);
    INFO(name);
    for (std::size_t i = 0; i < s.size(); ++i) expect_zero[s.offset + i] = true;
  }
  for (std::size_t i = 0; i < model_t::parameter_count; ++i) {
    if (expect_zero[i]) REQUIRE(m.parameters()[i] == 0.0);
    else REQUIRE(m.parameters()[i] == before.parameters()[i]);
  }
  for (const char* name : {"1.weight", "3.1.weight", "4.1.weight", "4.6.weight"})  // 4.6: the shortcut's
    for (double g : m.parameter(name)) REQUIRE(g == 1.0);
  // The identity-shortcut block is exactly the identity.
  constexpr std::size_t B = 4;
  ctnn::rng g(2);
  std::vector<double> x(B * 72);
  for (auto& v : x) v = g.normal();
  m.forward(x.data(), B);
  const auto in = ctnn::init::top_level_inputs(m, x.data());
  // Its top-level child index (layout nodes such as NCHW → NHWC take no module index).
  constexpr std::size_t k = [] {
    std::size_t last = 0;
    for (std::size_t j = 0; j < model_t::root::n; ++j)
      if (model_t::root::module_start[j] == 3) last = j;
    return last;
  }();
  static_assert(k > 0);
  CHECK(std::equal(in[k], in[k] + B * 4 * 36, in[k + 1]));
  m.detach_input();
}
