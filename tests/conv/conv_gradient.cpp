// Gradient check for the image layers: the analytic gradient (im2col + GEMM kernels, NHWC
// layout, layout conversions) against central finite differences in double, for conv2d with
// stride, padding and 1×1 kernels, max and average pooling with padding, global average
// pooling, per-channel batch_norm and layer_norm, residual blocks with and without a
// projection, dropout (masks replayed), and a 3-channel NCHW input through flatten.
#include <catch2/catch.hpp>
#include <ctnn/ctnn.hpp>
#include <ctnn/layers/scalar_bias.hpp>
#include <ctnn/layers/scalar_scale.hpp>
#include <support/numeric_gradient.hpp>

namespace {

using xav = ctnn::init::xavier_uniform<>;

// 3×7×7 NCHW input (layout conversion), odd sizes, every window option.
using conv_net = ctnn::sequential<
    ctnn::input<3, 7, 7>,
    ctnn::conv2d<4, 3, 1, 1, xav>, ctnn::tanh,                     // same-size, padded
    ctnn::conv2d<5, 3, 2, 1, xav>,                                 // strided: 7 → 4
    ctnn::norm::batch_norm<>, ctnn::tanh,                          // BatchNorm2d
    ctnn::residual<ctnn::conv2d<5, 3, 1, 1, xav>, ctnn::tanh, ctnn::conv2d<5, 1, 1, 0, xav>>,
    ctnn::max_pool2d<3, 1, 1>,                                     // padded max pool, 4 → 4
    ctnn::residual<ctnn::shortcut<ctnn::conv2d<6, 1, 2, 0, xav>>,  // projection 5×4×4 → 6×2×2
                   ctnn::conv2d<6, 2, 2, 0, xav>, ctnn::sigmoid>,
    ctnn::avg_pool2d<2, 1, 1>,                                     // 2 → 3, zero padding counted
    ctnn::norm::layer_norm<>,                                      // per pixel over channels
    ctnn::conv2d<3, 2, 1, 0, xav>, ctnn::tanh,                     // 3 → 2
    ctnn::flatten,                                                 // NHWC → NCHW order
    ctnn::dense<3, xav>>;

using pool_net = ctnn::sequential<
    ctnn::input<2, 6, 5>,
    ctnn::conv2d<3, 3, 1, 0, xav>, ctnn::tanh,  // 4×3
    ctnn::dropout<30>,
    ctnn::global_avg_pool,
    ctnn::dense<3, xav>>;

// Fixup's scalar layers inside a conv branch, on images.
using fixup_net = ctnn::sequential<
    ctnn::input<2, 5, 5>,
    ctnn::conv2d<3, 3, 1, 1, xav>, ctnn::tanh,
    ctnn::residual<ctnn::scalar_bias, ctnn::conv2d<3, 3, 1, 1, xav>, ctnn::scalar_bias, ctnn::tanh, ctnn::scalar_bias,
                   ctnn::conv2d<3, 3, 1, 1, xav>, ctnn::scalar_scale, ctnn::scalar_bias>,
    ctnn::tanh, ctnn::global_avg_pool, ctnn::scalar_bias, ctnn::dense<3, xav>>;

// A network that ends in a 2-channel image (its output converted back to NCHW).
using image_out_net = ctnn::sequential<ctnn::input<3, 4, 5>, ctnn::conv2d<4, 3, 1, 1, xav>, ctnn::tanh,
                                       ctnn::conv2d<2, 3, 1, 1, xav>, ctnn::tanh>;
// GroupNorm and InstanceNorm2d over images.
using group_net = ctnn::sequential<
    ctnn::input<3, 5, 4>,
    ctnn::conv2d<4, 3, 1, 1, xav>, ctnn::norm::group_norm<2>, ctnn::tanh,
    ctnn::conv2d<6, 3, 1, 1, xav>, ctnn::norm::instance_norm<>, ctnn::tanh,
    ctnn::global_avg_pool, ctnn::dense<3, xav>>;

template <class Net>
void check_gradient(std::size_t batch) {
  using M = ctnn::model<Net, double>;
  M m{ctnn::seed{5}};
  ctnn::rng g(17);
  std::vector<double> x(batch * M::in_features);
  for (auto& v : x) v = g.uniform(-1.5, 1.5);
  std::vector<std::int32_t> t(batch);
  for (std::size_t i = 0; i < batch; ++i) t[i] = std::int32_t(i % 3);
  using loss = ctnn::loss::softmax_cross_entropy;
  auto loss_at = [&] {
    m.set_random_draws(0);  // every forward replays the same dropout masks
    const double* y = m.forward(x.data(), batch);
    return loss::value_and_grad(y, t.data(), batch, M::out_features, static_cast<double*>(nullptr));
  };
  m.set_random_draws(0);
  const double* y = m.forward(x.data(), batch);
  double* dy = m.output_gradient();
  loss::value_and_grad(y, t.data(), batch, M::out_features, dy);
  m.backward(dy);
  std::vector<double> analytic(m.gradients().begin(), m.gradients().end());
  auto p = m.parameters();
  const double h = 1e-5;
  for (const auto& s : M::slots)
    for (std::size_t i = s.offset; i < s.offset + s.size(); ++i) {
      const double keep = p[i];
      p[i] = keep + h;
      const double up = loss_at();
      p[i] = keep - h;
      const double down = loss_at();
      p[i] = keep;
      const double numeric = (up - down) / (2 * h);
      INFO(s.name() << "[" << i - s.offset << "] analytic " << analytic[i] << " numeric " << numeric);
      REQUIRE(std::abs(analytic[i] - numeric) <= 1e-6 * std::max(std::abs(analytic[i]), std::abs(numeric)) + 1e-9);
    }
}

}  // namespace

TEST_CASE("image layers: gradients match finite differences", "[conv][gradient]") {
  SECTION("conv, strided, 1×1, pools, BatchNorm2d, layer_norm, residual with projection, NCHW input") {
    check_gradient<conv_net>(3);
  }
  SECTION("batch 1") { check_gradient<conv_net>(1); }
  SECTION("dropout and global average pooling") { check_gradient<pool_net>(4); }
  SECTION("Fixup's scalar biases and multiplier in a conv branch") { check_gradient<fixup_net>(3); }
  SECTION("GroupNorm and InstanceNorm2d over images") { check_gradient<group_net>(3); }
  SECTION("an image output (channels-last back to NCHW)") { check_gradient<image_out_net>(2); }
}

TEST_CASE("group_norm over an image normalizes each group of channels over all pixels", "[conv][norm]") {
  using net = ctnn::sequential<ctnn::input<6, 4, 3>, ctnn::norm::group_norm<3>>;  // NCHW in and out, NHWC inside
  ctnn::model<net, double> m;
  ctnn::rng g(4);
  std::vector<double> x(2 * 72);
  for (auto& v : x) v = g.uniform(-2, 5);
  const double* y = m.forward(x.data(), 2);  // NCHW: y[(n·6 + c)·12 + pixel]
  for (std::size_t n = 0; n < 2; ++n)
    for (std::size_t grp = 0; grp < 3; ++grp) {
      double s = 0, s2 = 0;
      for (std::size_t q = 0; q < 12; ++q)
        for (std::size_t c = 2 * grp; c < 2 * grp + 2; ++c) s += y[(n * 6 + c) * 12 + q], s2 += y[(n * 6 + c) * 12 + q] * y[(n * 6 + c) * 12 + q];
      CHECK(std::abs(s / 24) < 1e-12);
      CHECK(std::abs(s2 / 24 - 1) < 1e-4);  // ε = 1e-5 against variances of order 1
    }
  CHECK(ctnn::model<net, double>::slot("0.weight").dims() == std::vector<std::size_t>{6});
}

TEST_CASE("image networks: names and shapes as PyTorch's", "[conv][static]") {
  using M = ctnn::model<conv_net, double>;
  static_assert(M::input_shape == ctnn::feature_shape{3, 7, 7});
  // conv weight [out, in, k, k]; the NCHW → channels-last conversion takes no module index.
  CHECK(M::slot("0.weight").dims() == std::vector<std::size_t>{4, 3, 3, 3});
  CHECK(M::slot("2.weight").dims() == std::vector<std::size_t>{5, 4, 3, 3});
  CHECK(M::slot("3.weight").dims() == std::vector<std::size_t>{5});        // BatchNorm2d γ
  CHECK(M::slot("5.2.weight").dims() == std::vector<std::size_t>{5, 5, 1, 1});
  CHECK(M::slot("7.0.weight").dims() == std::vector<std::size_t>{6, 5, 2, 2});
  CHECK(M::slot("7.2.weight").dims() == std::vector<std::size_t>{6, 5, 1, 1});  // the shortcut after the body
  CHECK(M::slot("13.weight").dims() == std::vector<std::size_t>{3, 12});       // 3 channels × 2 × 2 flattened
  // The conversion back to NCHW at an image output takes no module index either.
  using I = ctnn::model<image_out_net, double>;
  static_assert(I::out_features == 2 * 4 * 5);
  CHECK(I::slot("2.weight").dims() == std::vector<std::size_t>{2, 4, 3, 3});
  CHECK(I::slots.size() == 4);
}
