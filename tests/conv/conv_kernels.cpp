// The convolution and pooling kernels against the scalar references (kernels/conv_reference.hpp
// and direct loops here), over odd sizes, strides larger than the kernel, 1×1 kernels, more than
// 32 output channels (a tail panel), batch 1 and batches that split into groups unevenly; and
// bitwise determinism across thread counts. Tolerance: kcheck::tol, the dot-product error bound
// (see tests/kernels/kernel_check.hpp) with Σ|a·b| computed by the reference on absolute values.
#include <catch2/catch.hpp>
#include <ctnn/core/aligned_buffer.hpp>
#include <cmath>
#include <ctnn/kernels/conv2d.hpp>
#include <ctnn/kernels/conv_reference.hpp>
#include <ctnn/kernels/pool2d.hpp>
#include <ctnn/layers/activations.hpp>
#include "../kernels/kernel_check.hpp"

namespace {

template <class S>
std::vector<S> absolute(std::vector<S> v) {
  for (auto& e : v) e = std::abs(e);
  return v;
}

template <class G, std::size_t Out, class Act, class S>
void check_conv(std::size_t batch) {
  INFO(kcheck::name<S>() << " C=" << G::channels << " H=" << G::height << " W=" << G::width << " K=" << G::kernel
                         << " S=" << G::stride << " P=" << G::padding << " Out=" << Out << " batch=" << batch);
  const std::size_t out_size = G::pixels * Out;
  auto x = kcheck::random_vec<S>(batch * G::in_size, 1);
  auto w = kcheck::random_vec<S>(Out * G::patch, 2);
  auto b = kcheck::random_vec<S>(Out, 3);
  auto dz = kcheck::random_vec<S>(batch * out_size, 4);
  ctnn::kernels::workspace ws;

  // forward
  std::vector<S> y(batch * out_size), z(batch * out_size), yr(batch * out_size), zr(batch * out_size);
  std::vector<S> sum(batch * out_size), zero_b(Out, S(0));
  ctnn::kernels::conv2d_forward<G, Out, Act>(x.data(), batch, w.data(), b.data(), y.data(), z.data(), ws);
  ctnn::kernels::ref::conv2d_forward<G, Out, ctnn::identity>(x.data(), batch, w.data(), b.data(), zr.data(),
                                                             static_cast<S*>(nullptr));
  auto ax = absolute(x), aw = absolute(w);
  ctnn::kernels::ref::conv2d_forward<G, Out, ctnn::identity>(ax.data(), batch, aw.data(), zero_b.data(), sum.data(),
                                                             static_cast<S*>(nullptr));
  for (std::size_t i = 0; i < y.size(); ++i) {
    const S t = kcheck::tol<S>(G::patch, sum[i] + std::abs(b[i % Out]), zr[i]);
    REQUIRE(std::abs(z[i] - zr[i]) <= t);
    REQUIRE(std::abs(y[i] - Act::forward(zr[i])) <= S(1.2) * t + kcheck::act_tol(zr[i]));
  }

  // backward (weights and input) against the reference
  std::vector<S> dx(batch * G::in_size), dw(Out * G::patch), db(Out);
  std::vector<S> dxr(batch * G::in_size), dwr(Out * G::patch), dbr(Out);
  std::vector<S> sdx(batch * G::in_size), sdw(Out * G::patch), sdb(Out);
  ctnn::kernels::conv2d_backward_weights<G, Out>(dz.data(), x.data(), batch, dw.data(), db.data(), false, ws);
  ctnn::kernels::conv2d_backward_input<G, Out>(dz.data(), batch, w.data(), dx.data(), ws);
  ctnn::kernels::ref::conv2d_backward<G, Out>(dz.data(), x.data(), batch, w.data(), dxr.data(), dwr.data(), dbr.data());
  auto adz = absolute(dz);
  ctnn::kernels::ref::conv2d_backward<G, Out>(adz.data(), ax.data(), batch, aw.data(), sdx.data(), sdw.data(), sdb.data());
  const std::size_t rows = batch * G::pixels;
  for (std::size_t i = 0; i < dw.size(); ++i) REQUIRE(std::abs(dw[i] - dwr[i]) <= kcheck::tol<S>(rows, sdw[i], dwr[i]));
  for (std::size_t i = 0; i < db.size(); ++i) REQUIRE(std::abs(db[i] - dbr[i]) <= kcheck::tol<S>(rows, sdb[i], dbr[i]));
  // dx sums over at most K²·Out products (each input pixel lies in ≤ K² windows)
  for (std::size_t i = 0; i < dx.size(); ++i)
    REQUIRE(std::abs(dx[i] - dxr[i]) <= kcheck::tol<S>(G::taps * Out, sdx[i], dxr[i]));

  // accumulate adds
  std::vector<S> dw2 = dw, db2 = db;
  ctnn::kernels::conv2d_backward_weights<G, Out>(dz.data(), x.data(), batch, dw2.data(), db2.data(), true, ws);
  for (std::size_t i = 0; i < dw.size(); ++i) REQUIRE(std::abs(dw2[i] - 2 * dw[i]) <= 2 * kcheck::tol<S>(rows, sdw[i], dwr[i]));
}

template <class S>
void check_all_conv() {
  using namespace ctnn::kernels;
  for (std::size_t batch : {1, 3, 17}) {
    check_conv<conv_geometry<1, 28, 28, 3, 1, 1>, 16, ctnn::relu, S>(batch);    // the example's first layer
    check_conv<conv_geometry<3, 7, 5, 3, 2, 1>, 5, ctnn::tanh, S>(batch);       // odd, strided, padded
    check_conv<conv_geometry<5, 6, 6, 1, 1, 0>, 7, ctnn::identity, S>(batch);   // pointwise: no im2col
    check_conv<conv_geometry<4, 9, 9, 5, 2, 2>, 33, ctnn::sigmoid, S>(batch);   // tail panel
    check_conv<conv_geometry<2, 5, 5, 2, 3, 0>, 3, ctnn::identity, S>(batch);   // stride > kernel
    check_conv<conv_geometry<17, 4, 4, 3, 1, 0>, 10, ctnn::gelu, S>(batch);     // 10-wide output
    check_conv<conv_geometry<2, 9, 7, 3, 2, 2>, 32, ctnn::relu, S>(batch);      // small patch, strided, P = 2
    // implicit-GEMM forward (interior patches read from x in place; see implicit_forward below)
    if constexpr (std::is_same_v<S, float>) {
      check_conv<conv_geometry<24, 7, 16, 3, 1, 1>, 32, ctnn::relu, S>(batch);
      check_conv<conv_geometry<32, 11, 23, 3, 2, 1>, 64, ctnn::identity, S>(batch);  // strided
      check_conv<conv_geometry<16, 8, 12, 5, 1, 0>, 48, ctnn::tanh, S>(batch);       // no padding
      // the input gradient as a forward convolution, the weight gradient tap by tap
      check_conv<conv_geometry<16, 9, 20, 3, 1, 1>, 32, ctnn::relu, S>(batch);
      check_conv<conv_geometry<16, 6, 22, 3, 1, 0>, 28, ctnn::identity, S>(batch);  // P = 0; Out mod 8
      check_conv<conv_geometry<32, 8, 14, 3, 1, 1>, 64, ctnn::relu, S>(batch);       // column tiles
    } else {
      check_conv<conv_geometry<12, 6, 12, 3, 1, 1>, 32, ctnn::relu, S>(batch);
      check_conv<conv_geometry<8, 5, 20, 3, 1, 1>, 16, ctnn::tanh, S>(batch);
    }
  }
}

// The geometries above that must take the implicit-GEMM forward, and ones that must not.
static_assert(ctnn::kernels::conv_detail::implicit_forward<ctnn::kernels::conv_geometry<24, 7, 16, 3, 1, 1>, 32, float>());
static_assert(ctnn::kernels::conv_detail::implicit_forward<ctnn::kernels::conv_geometry<32, 11, 23, 3, 2, 1>, 64, float>());
static_assert(ctnn::kernels::conv_detail::implicit_forward<ctnn::kernels::conv_geometry<16, 8, 12, 5, 1, 0>, 48, float>());
static_assert(ctnn::kernels::conv_detail::implicit_forward<ctnn::kernels::conv_geometry<12, 6, 12, 3, 1, 1>, 32, double>());
static_assert(!ctnn::kernels::conv_detail::implicit_forward<ctnn::kernels::conv_geometry<1, 28, 28, 3, 1, 1>, 16, float>());
static_assert(!ctnn::kernels::conv_detail::implicit_forward<ctnn::kernels::conv_geometry<4, 9, 9, 5, 2, 2>, 33, float>());

// The geometries above whose input gradient runs as the forward of the flipped kernel
// (input_gradient_as_forward) and whose weight gradient reads x in place, tap by tap
// (tap_weight_gradient), and ones that keep GEMM + col2im or im2col.
namespace cd = ctnn::kernels::conv_detail;
using ctnn::kernels::conv_geometry;
static_assert(cd::input_gradient_as_forward<conv_geometry<16, 9, 20, 3, 1, 1>, 32, float>());
static_assert(cd::input_gradient_as_forward<conv_geometry<16, 6, 22, 3, 1, 0>, 28, float>());
static_assert(cd::input_gradient_as_forward<conv_geometry<8, 5, 20, 3, 1, 1>, 16, double>());
static_assert(!cd::input_gradient_as_forward<conv_geometry<32, 11, 23, 3, 2, 1>, 64, float>());  // stride 2
static_assert(!cd::input_gradient_as_forward<conv_geometry<1, 28, 28, 3, 1, 1>, 16, float>());   // 1 channel
static_assert(cd::tap_weight_gradient<conv_geometry<16, 9, 20, 3, 1, 1>, 32, float>());
static_assert(cd::tap_weight_gradient<conv_geometry<16, 6, 22, 3, 1, 0>, 28, float>());
static_assert(cd::tap_weight_gradient<conv_geometry<8, 5, 20, 3, 1, 1>, 16, double>());
static_assert(cd::tap_weight_gradient<conv_geometry<32, 11, 23, 3, 2, 1>, 64, float>());
static_assert(!cd::tap_weight_gradient<conv_geometry<24, 7, 16, 3, 1, 1>, 32, float>());  // C not whole vectors
static_assert(!cd::tap_weight_gradient<conv_geometry<1, 28, 28, 3, 1, 1>, 16, float>());  // transposed
// a small patch (9): dWᵀ and db in one register tile, over padded images
static_assert(cd::implicit_small_patch_weight_gradient<conv_geometry<1, 28, 28, 3, 1, 1>, 16, float>());
static_assert(cd::implicit_small_patch_weight_gradient<conv_geometry<1, 28, 28, 3, 1, 1>, 16, double>());
static_assert(cd::implicit_small_patch_weight_gradient<conv_geometry<2, 9, 7, 3, 2, 2>, 32, float>());
static_assert(!cd::implicit_small_patch_weight_gradient<conv_geometry<3, 7, 5, 3, 2, 1>, 5, float>());

/// max/avg pooling against direct loops over the NCHW definition.
template <class G, class S>
void check_pool(std::size_t batch) {
  INFO(kcheck::name<S>() << " pool C=" << G::channels << " H=" << G::height << " K=" << G::kernel << " S=" << G::stride
                         << " P=" << G::padding << " batch=" << batch);
  constexpr std::size_t C = G::channels, out_size = G::pixels * C;
  auto x = kcheck::random_vec<S>(batch * G::in_size, 7);
  auto dy = kcheck::random_vec<S>(batch * out_size, 8);
  std::vector<S> ymax(batch * out_size), yavg(batch * out_size), dxmax(batch * G::in_size), dxavg(batch * G::in_size);
  std::vector<std::uint32_t> arg(batch * out_size);
  ctnn::kernels::max_pool2d_forward<G>(x.data(), batch, ymax.data(), arg.data());
  ctnn::kernels::avg_pool2d_forward<G>(x.data(), batch, yavg.data());
  ctnn::kernels::max_pool2d_backward<G>(dy.data(), arg.data(), batch, dxmax.data());
  ctnn::kernels::avg_pool2d_backward<G>(dy.data(), batch, dxavg.data());
  std::vector<S> rdxmax(batch * G::in_size, S(0)), rdxavg(batch * G::in_size, S(0));
  for (std::size_t n = 0; n < batch; ++n)
    for (std::size_t oy = 0; oy < G::out_h; ++oy)
      for (std::size_t ox = 0; ox < G::out_w; ++ox)
        for (std::size_t c = 0; c < C; ++c) {
          S best = -std::numeric_limits<S>::infinity(), total = 0;
          std::size_t best_at = 0;
          for (std::size_t i = 0; i < G::kernel; ++i)
            for (std::size_t j = 0; j < G::kernel; ++j) {
              const long iy = long(oy * G::stride + i) - long(G::padding), ix = long(ox * G::stride + j) - long(G::padding);
              if (iy < 0 || iy >= long(G::height) || ix < 0 || ix >= long(G::width)) continue;
              const std::size_t at = n * G::in_size + (std::size_t(iy) * G::width + std::size_t(ix)) * C + c;
              if (x[at] > best) best = x[at], best_at = at;
              total += x[at];
            }
          const std::size_t o = n * out_size + (oy * G::out_w + ox) * C + c;
          REQUIRE(ymax[o] == best);
          REQUIRE(std::abs(yavg[o] - total / S(G::taps)) <= kcheck::tol<S>(G::taps, S(G::taps), total));
          rdxmax[best_at] += dy[o];
          for (std::size_t i = 0; i < G::kernel; ++i)
            for (std::size_t j = 0; j < G::kernel; ++j) {
              const long iy = long(oy * G::stride + i) - long(G::padding), ix = long(ox * G::stride + j) - long(G::padding);
              if (iy < 0 || iy >= long(G::height) || ix < 0 || ix >= long(G::width)) continue;
              rdxavg[n * G::in_size + (std::size_t(iy) * G::width + std::size_t(ix)) * C + c] += dy[o] / S(G::taps);
            }
        }
  for (std::size_t i = 0; i < dxmax.size(); ++i) {
    REQUIRE(std::abs(dxmax[i] - rdxmax[i]) <= kcheck::tol<S>(G::taps, S(G::taps), rdxmax[i]));
    REQUIRE(std::abs(dxavg[i] - rdxavg[i]) <= kcheck::tol<S>(G::taps, S(G::taps), rdxavg[i]));
  }
}

}  // namespace

TEST_CASE("conv2d kernels match the scalar reference", "[conv][kernels]") {
  check_all_conv<float>();
  check_all_conv<double>();
}

TEST_CASE("pooling kernels match direct loops", "[conv][kernels]") {
  using namespace ctnn::kernels;
  for (std::size_t batch : {1, 4}) {
    check_pool<conv_geometry<3, 28, 28, 2, 2, 0>, float>(batch);
    check_pool<conv_geometry<5, 7, 9, 3, 2, 1>, float>(batch);
    check_pool<conv_geometry<1, 5, 5, 3, 1, 1>, double>(batch);
    check_pool<conv_geometry<33, 4, 4, 2, 1, 0>, double>(batch);
  }
}

TEST_CASE("max pooling propagates NaN; global average pooling is the channel mean", "[conv][kernels]") {
  using G = ctnn::kernels::conv_geometry<2, 2, 2, 2, 2, 0>;
  std::vector<float> x{1, 5, std::nanf(""), 6, 3, 7, 2, 8};  // NHWC: channel 0 = {1, NaN, 3, 2}, channel 1 = {5, 6, 7, 8}
  std::vector<float> y(2);
  std::vector<std::uint32_t> arg(2);
  ctnn::kernels::max_pool2d_forward<G>(x.data(), 1, y.data(), arg.data());
  CHECK(std::isnan(y[0]));
  CHECK(y[1] == 8.0f);
  CHECK(arg[1] == 7u);
  std::vector<float> g(2);
  ctnn::kernels::global_avg_pool_forward<2, 4>(x.data() + 0, 1, g.data());
  CHECK(g[1] == 6.5f);
}

TEST_CASE("conv2d kernels are bitwise deterministic across thread counts", "[conv][determinism]") {
  using G = ctnn::kernels::conv_geometry<16, 16, 20, 3, 1, 1>;
  constexpr std::size_t Out = 32, batch = 33;  // 97 MFLOP: threaded; 33 samples over 16 groups
  static_assert(cd::input_gradient_as_forward<G, Out, float>() && cd::tap_weight_gradient<G, Out, float>());
  auto x = kcheck::random_vec<float>(batch * G::in_size, 11);
  auto w = kcheck::random_vec<float>(Out * G::patch, 12);
  auto b = kcheck::random_vec<float>(Out, 13);
  auto dz = kcheck::random_vec<float>(batch * G::pixels * Out, 14);
  auto run = [&](int threads) {
    const int saved = ctnn::num_threads();
    ctnn::set_num_threads(threads);
    ctnn::kernels::workspace ws;
    std::vector<float> y(batch * G::pixels * Out), dx(batch * G::in_size), dw(Out * G::patch), db(Out);
    ctnn::kernels::conv2d_forward<G, Out, ctnn::relu>(x.data(), batch, w.data(), b.data(), y.data(),
                                                      static_cast<float*>(nullptr), ws);
    ctnn::kernels::conv2d_backward_weights<G, Out>(dz.data(), x.data(), batch, dw.data(), db.data(), false, ws);
    ctnn::kernels::conv2d_backward_input<G, Out>(dz.data(), batch, w.data(), dx.data(), ws);
    ctnn::set_num_threads(saved);
    y.insert(y.end(), dx.begin(), dx.end());
    y.insert(y.end(), dw.begin(), dw.end());
    y.insert(y.end(), db.begin(), db.end());
    return y;
  };
  const auto one = run(1), two = run(2);
  REQUIRE(one.size() == two.size());
  CHECK(std::memcmp(one.data(), two.data(), one.size() * sizeof(float)) == 0);
}

namespace {

// Same fma chains in the same k order (the padding's zero terms skipped leave every sum as it
// is): conv2d_forward's implicit tiles equal im2col + dense_forward_packing exactly.
template <class G, std::size_t Out>
void check_implicit_bits(std::size_t batch) {
  INFO("C=" << G::channels << " H=" << G::height << " W=" << G::width << " K=" << G::kernel << " S=" << G::stride
            << " P=" << G::padding << " Out=" << Out << " batch=" << batch);
  static_assert(ctnn::kernels::conv_detail::implicit_forward<G, Out, float>());
  const std::size_t rows = batch * G::pixels;
  auto x = kcheck::random_vec<float>(batch * G::in_size, 21);
  auto w = kcheck::random_vec<float>(Out * G::patch, 22);
  auto b = kcheck::random_vec<float>(Out, 23);
  ctnn::kernels::workspace ws;
  std::vector<float> y(rows * Out), z(rows * Out);
  ctnn::kernels::conv2d_forward<G, Out, ctnn::relu>(x.data(), batch, w.data(), b.data(), y.data(), z.data(), ws);
  using packing = ctnn::kernels::dense_forward_packing<G::patch, Out, float>;
  ctnn::aligned_buffer<float> col(rows * G::patch), wt(Out * G::patch), packed(packing::packed_size),
      tail(packing::tail_size);
  ctnn::kernels::im2col<G>(x.data(), 0, rows, col.data());
  ctnn::kernels::permute_weights<G, Out>(w.data(), wt.data());
  packing::pack(wt.data(), packed.data());
  std::vector<float> y0(rows * Out), z0(rows * Out);
  packing::template forward<ctnn::relu>(col.data(), rows, packed.data(), b.data(), y0.data(), z0.data(), tail.data());
  CHECK(y == y0);
  CHECK(z == z0);
}

}  // namespace

TEST_CASE("conv2d forward: the implicit-GEMM tiles give the im2col path's bits", "[conv][kernels]") {
  using ctnn::kernels::conv_geometry;
  for (std::size_t batch : {1, 5}) {
    check_implicit_bits<conv_geometry<24, 7, 16, 3, 1, 1>, 32>(batch);   // row tiles; border columns by im2col
    check_implicit_bits<conv_geometry<32, 14, 14, 3, 1, 1>, 64>(batch);  // the CNN's layer: row and column tiles
    check_implicit_bits<conv_geometry<16, 16, 16, 5, 1, 2>, 64>(batch);  // two padding columns, partial windows
    check_implicit_bits<conv_geometry<32, 15, 17, 3, 2, 1>, 64>(batch);  // strided; an interior leftover column
  }
}
