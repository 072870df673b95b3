// Laws of the image layers that are not gradients: users see NCHW (a model's output equals the
// NCHW definition of the convolution computed by direct loops); delta_orthogonal gives an
// orthogonal centre tap and zeros elsewhere; conv fans are C·k² and Out·k²; dropout keeps a
// Binomial(n, 1−p) share of the values scaled by 1/(1−p), replays with the draw count, and is
// the identity in evaluation; predict takes [batch, C, H, W].
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctnn/ctnn.hpp>

namespace {
using nchw_net = ctnn::sequential<ctnn::input<3, 5, 4>, ctnn::conv2d<2, 3, 1, 1, ctnn::init::xavier_uniform<>>,
                                  ctnn::flatten>;
// The same network ending in the image itself: its output must be NCHW too (it was channels-last).
using image_out_net = ctnn::sequential<ctnn::input<3, 5, 4>, ctnn::conv2d<2, 3, 1, 1, ctnn::init::xavier_uniform<>>>;
}

TEST_CASE("a model's image input and flatten output are NCHW, as PyTorch's", "[conv][layout]") {
  ctnn::model<nchw_net, double> m{ctnn::seed{3}};
  const std::size_t C = 3, H = 5, W = 4, O = 2, batch = 2;
  ctnn::rng g(5);
  std::vector<double> x(batch * C * H * W);
  for (auto& v : x) v = g.uniform(-1, 1);
  const double* y = m.forward(x.data(), batch);
  auto w = m.parameter("0.weight");  // [O, C, 3, 3]
  auto b = m.parameter("0.bias");
  for (std::size_t n = 0; n < batch; ++n)
    for (std::size_t o = 0; o < O; ++o)
      for (std::size_t i = 0; i < H; ++i)
        for (std::size_t j = 0; j < W; ++j) {
          double s = b(o);
          for (std::size_t c = 0; c < C; ++c)
            for (std::size_t ki = 0; ki < 3; ++ki)
              for (std::size_t kj = 0; kj < 3; ++kj) {
                const long ii = long(i + ki) - 1, jj = long(j + kj) - 1;
                if (ii < 0 || ii >= long(H) || jj < 0 || jj >= long(W)) continue;
                s += w(o, c, ki, kj) * x[((n * C + c) * H + std::size_t(ii)) * W + std::size_t(jj)];
              }
          REQUIRE(y[((n * O + o) * H + i) * W + j] == Approx(s).epsilon(1e-12).margin(1e-14));
        }
  // predict accepts [batch, C, H, W] and gives the same
  xt::xtensor<double, 4> x4 = xt::adapt(x, std::vector<std::size_t>{batch, C, H, W});
  auto yp = m.predict(x4);
  for (std::size_t i = 0; i < batch * O * H * W; ++i) REQUIRE(yp.data()[i] == y[i]);
  xt::xtensor<double, 4> wrong = xt::zeros<double>({batch, C, W, H});
  CHECK_THROWS_WITH(m.predict(wrong), Catch::Contains("[batch, 3, 4, 5]") && Catch::Contains("input<3, 5, 4>"));

  // Without the flatten the output is the same NCHW image (the same seed gives the same weights).
  ctnn::model<image_out_net, double> mi{ctnn::seed{3}};
  const auto yi = mi.predict(x4);
  REQUIRE(yi.size() == batch * O * H * W);
  for (std::size_t i = 0; i < yi.size(); ++i) REQUIRE(yi.data()[i] == yp.data()[i]);
  // A one-channel input needs no conversion in, but its two-channel output does.
  using one_in = ctnn::sequential<ctnn::input<1, 2, 2>, ctnn::conv2d<2, 1>>;
  ctnn::model<one_in, double> m1;
  auto w1 = m1.parameter("0.weight");
  w1(0, 0, 0, 0) = 1;
  w1(1, 0, 0, 0) = 10;
  m1.parameter("0.bias").fill(0);
  const xt::xtensor<double, 4> x1 = {{{{1, 2}, {3, 4}}}};
  const xt::xtensor<double, 2> y1 = m1.predict(x1);
  const xt::xtensor<double, 2> nchw = {{1, 2, 3, 4, 10, 20, 30, 40}};
  CHECK(y1 == nchw);

  // value_and_grad takes [batch, C, H, W] as predict does (it overran a 2-long shape before).
  const xt::xtensor<double, 2> x2 = xt::adapt(x, std::vector<std::size_t>{batch, C * H * W});
  const xt::xtensor<double, 2> targets = xt::zeros<double>({batch, O * H * W});
  const auto flat = ctnn::value_and_grad(mi, ctnn::loss::mse{}, x2, targets);
  const auto image = ctnn::value_and_grad(mi, ctnn::loss::mse{}, x4, targets);
  CHECK(flat.value == image.value);
  CHECK(flat.gradient == image.gradient);
}

TEST_CASE("delta_orthogonal: orthogonal centre tap, zeros elsewhere; conv fans", "[conv][init]") {
  using net = ctnn::sequential<ctnn::input<8, 6, 6>, ctnn::conv2d<16, 3, 1, 1, ctnn::init::delta_orthogonal<2.0>>,
                               ctnn::conv2d<8, 5, 1, 2, ctnn::init::delta_orthogonal<1.0>>>;
  ctnn::model<net, double> m{ctnn::seed{9}};
  auto check = [&](const std::string& name, std::size_t out, std::size_t in, std::size_t k, double gain) {
    auto w = m.parameter(name);
    const std::size_t c = k / 2;
    for (std::size_t o = 0; o < out; ++o)
      for (std::size_t i = 0; i < in; ++i)
        for (std::size_t a = 0; a < k; ++a)
          for (std::size_t b = 0; b < k; ++b)
            if (a != c || b != c) REQUIRE(w(o, i, a, b) == 0.0);
    // QᵀQ = g² I for a tall centre (out ≥ in), Q Qᵀ = g² I for a wide one
    const bool tall = out >= in;
    const std::size_t n = tall ? in : out, len = tall ? out : in;
    for (std::size_t p = 0; p < n; ++p)
      for (std::size_t q = 0; q < n; ++q) {
        double s = 0;
        for (std::size_t r = 0; r < len; ++r)
          s += tall ? w(r, p, c, c) * w(r, q, c, c) : w(p, r, c, c) * w(q, r, c, c);
        REQUIRE(std::abs(s - (p == q ? gain * gain : 0.0)) < 1e-5);
      }
  };
  check("0.weight", 16, 8, 3, 2.0);
  check("1.weight", 8, 16, 5, 1.0);
  using M = ctnn::model<net, double>;
  STATIC_REQUIRE(M::slots[0].fan_in == 8 * 9);
  STATIC_REQUIRE(M::slots[0].fan_out == 16 * 9);
  STATIC_REQUIRE(M::slots[2].fan_in == 16 * 25);
}

TEST_CASE("kaiming_normal on conv draws Var w = 2 / (C·k²)", "[conv][init]") {
  using net = ctnn::sequential<ctnn::input<32, 8, 8>, ctnn::conv2d<64, 3, 1, 1>>;
  ctnn::model<net, double> m{ctnn::seed{4}};
  auto w = m.parameter("0.weight");
  const double n = double(w.size());
  double s2 = 0;
  for (double v : w) s2 += v * v;
  const double var = 2.0 / (32 * 9);
  // Σw²/n has mean var and standard deviation var·√(2/n) (χ² with n degrees): 6 σ.
  CHECK(std::abs(s2 / n - var) < 6 * var * std::sqrt(2.0 / n));
}

TEST_CASE("dropout: Binomial share kept and scaled, replayable, identity in evaluation", "[conv][dropout]") {
  using net = ctnn::sequential<ctnn::input<1000>, ctnn::dropout<30>>;
  ctnn::model<net> m{ctnn::seed{1}};
  const std::size_t batch = 20, n = batch * 1000;
  std::vector<float> x(n, 2.0f);
  const float* y = m.forward(x.data(), batch);
  std::size_t kept = 0;
  for (std::size_t i = 0; i < n; ++i) {
    REQUIRE((y[i] == 0.0f || std::abs(y[i] - 2.0f / 0.7f) < 1e-6f));
    kept += y[i] != 0.0f;
  }
  // kept ~ Binomial(n, 0.7): mean 0.7 n, σ = √(n · 0.7 · 0.3); 6 σ.
  CHECK(std::abs(double(kept) - 0.7 * n) < 6 * std::sqrt(n * 0.21));
  std::vector<float> first(y, y + n);
  CHECK(m.random_draws() == 1);
  m.forward(x.data(), batch);
  CHECK(!std::equal(first.begin(), first.end(), m.output()));  // a new mask each step
  m.set_random_draws(0);
  m.forward(x.data(), batch);
  CHECK(std::equal(first.begin(), first.end(), m.output()));   // replayed
  m.eval();
  m.forward(x.data(), batch);
  for (std::size_t i = 0; i < n; ++i) REQUIRE(m.output()[i] == 2.0f);
}

TEST_CASE("a conv net with dropout resumed from a mid-epoch checkpoint == the uninterrupted run, bitwise",
          "[conv][dropout][resume]") {
  using net = ctnn::sequential<ctnn::input<1, 4, 4>, ctnn::conv2d<2, 3, 1, 1>, ctnn::relu, ctnn::dropout<50>,
                               ctnn::flatten, ctnn::dense<2>>;
  constexpr std::size_t n = 40;
  ctnn::rng g(2);
  xt::xtensor<float, 2> x = xt::zeros<float>({n, std::size_t{16}});
  xt::xtensor<std::int32_t, 1> y = xt::zeros<std::int32_t>({n});
  for (std::size_t i = 0; i < n; ++i) {
    y(i) = std::int32_t(i % 2);
    for (std::size_t k = 0; k < 16; ++k) x(i, k) = float((y(i) ? 0.3 : -0.3) + 0.5 * g.normal());
  }
  const auto data = ctnn::data::make_labeled(std::move(x), std::move(y), 2);
  const auto quiet = ctnn::progress_mode::quiet;
  const std::string path = "conv_dropout_resume.ckpt";
  const ctnn::optim::sgd opt{.lr = 0.05f, .momentum = 0.9f};
  struct crash {};
  auto schedule = [](std::size_t step) { return 0.05 / (1.0 + 0.1 * double(step)); };
  ctnn::model<net> straight{ctnn::seed{1}};
  ctnn::fit(straight, ctnn::loss::softmax_cross_entropy{}, opt, data,
            {.epochs = 3, .batch = 8, .seed = 5, .progress = quiet, .schedule = schedule});
  ctnn::model<net> crashed{ctnn::seed{1}};
  // 5 steps per epoch; checkpoints at global steps 3, 5 (epoch end), 6; the crash is before step 8.
  CHECK_THROWS_AS(ctnn::fit(crashed, ctnn::loss::softmax_cross_entropy{}, opt, data,
                            {.epochs = 3, .batch = 8, .seed = 5, .progress = quiet,
                             .schedule = [&](std::size_t step) -> double {
                               if (step == 8) throw crash{};
                               return schedule(step);
                             },
                             .checkpoint = path, .checkpoint_every = 3}),
                  crash);
  ctnn::model<net> resumed{ctnn::seed{99}};
  ctnn::fit(resumed, ctnn::loss::softmax_cross_entropy{}, opt, data,
            {.epochs = 3, .batch = 8, .seed = 5, .progress = quiet, .schedule = schedule, .resume_from = path});
  std::remove(path.c_str());
  CHECK(resumed.random_draws() == straight.random_draws());
  CHECK(resumed.random_seed() == 1);  // the checkpoint's, not the resumed model's own 99
  CHECK(std::memcmp(straight.parameters().data(), resumed.parameters().data(),
                    straight.parameters().size() * sizeof(float)) == 0);
}
