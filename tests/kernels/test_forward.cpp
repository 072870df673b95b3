#include "kernel_check.hpp"
#include "pairs.hpp"

using namespace kcheck;

TEST_CASE("dense_forward matches the reference (identity, relu, gelu; all shapes, batches, 1-2 threads)",
          "[kernels][forward]") {
  ctnn::kernels::workspace ws;  // one workspace for every call: exercises growth and reuse
  for_threads([&](int) {
    for_each_shape([&](auto sh) {
      constexpr std::size_t I = decltype(sh)::in, O = decltype(sh)::out;
      for (std::size_t batch : batches) {
        check_forward<I, O, ctnn::identity, float>(batch, ws);
        check_forward<I, O, ctnn::relu, float>(batch, ws);
        check_forward<I, O, ctnn::gelu, float>(batch, ws);
        check_forward<I, O, ctnn::identity, double>(batch, ws);
        check_forward<I, O, ctnn::relu, double>(batch, ws);
        check_forward<I, O, ctnn::gelu, double>(batch, ws);
      }
    });
  });
}

TEST_CASE("dense_forward: every activation as the fused epilogue", "[kernels][forward][activations]") {
  ctnn::kernels::workspace ws;
  for_threads([&](int) {
    for_each_act_shape([&](auto sh) {
      constexpr std::size_t I = decltype(sh)::in, O = decltype(sh)::out;
      for_each_activation([&]<class Act>() {
        for (std::size_t batch : batches) {
          check_forward<I, O, Act, float>(batch, ws);
          check_forward<I, O, Act, double>(batch, ws);
        }
      });
    });
  });
}

#if defined(__AVX512F__)
/// The transposed form (kernels/dense_forward_transposed.hpp) against the usual one run over the
/// same rows (every weight panel packed and computed whole): y and z bit for bit, for rows of W
/// [m0, m1) (whole, the splits two threads use, and ranges whose last tile overlaps), batches
/// with and without a partial xᵀ panel.
template <std::size_t In, std::size_t Out, class Act>
void check_transposed_forward(std::size_t batch, std::size_t m0, std::size_t m1) {
  namespace d = ctnn::kernels::detail;
  using blk = d::nblocking<float, Out>;
  const auto x = random_vec<float>(batch * In, 31 + batch), w = random_vec<float>(Out * In, 32 + In),
             b = random_vec<float>(Out, 33 + Out);
  std::vector<float> y(batch * Out, -7.f), z(batch * Out, -7.f), yu(batch * Out, -7.f), zu(batch * Out, -7.f);
  ctnn::aligned_buffer<float> xt(d::transposed_forward_pack_size<In>(batch));
  d::pack_transposed_input<In>(x.data(), batch, xt.data());
  d::dense_forward_transposed_rows<In, Out, Act>(xt.data(), batch, w.data(), b.data(), y.data(), z.data(), m0, m1);
  ctnn::aligned_buffer<float> panel(In * std::max(blk::NR, blk::NRt) + 16), tail(std::size_t(std::max(blk::MR, blk::MRt)) * In);
  for (std::size_t p = 0; p < blk::panels; ++p) {
    d::pack_forward_panel<In, Out>(w.data(), p, panel.data());
    d::dense_forward_panel_rows<In, Out, Act>(x.data(), 0, batch, panel.data(), p, b.data(), yu.data(), zu.data(),
                                              tail.data());
  }
  std::size_t bad = 0, outside = 0;
  for (std::size_t i = 0; i < batch; ++i)
    for (std::size_t o = 0; o < Out; ++o) {
      const std::size_t e = i * Out + o;
      if (o < m0 || o >= m1) {
        outside += y[e] != -7.f || z[e] != -7.f;  // rows of W outside the range: not written
        continue;
      }
      if (std::memcmp(&y[e], &yu[e], sizeof(float)) != 0 || std::memcmp(&z[e], &zu[e], sizeof(float)) != 0) {
        if (bad++ < 3)
          UNSCOPED_INFO("transposed forward<" << In << "," << Out << "," << Act::torch_name << "> batch " << batch
                                              << " rows [" << m0 << "," << m1 << ") at [" << i << "," << o << "] y "
                                              << y[e] << " vs " << yu[e] << ", z " << z[e] << " vs " << zu[e]);
      }
    }
  CHECK(bad == 0);
  CHECK(outside == 0);
}

/// Through dense_forward itself (dispatch, workspace, the 2-thread split by rows of W): `batch` rows
/// taking the transposed form against the same rows inside a batch too large for it, bit for bit.
template <std::size_t In, std::size_t Out, class Act>
void check_transposed_dispatch(std::size_t batch, ctnn::kernels::workspace& ws) {
  const std::size_t big = 2 * Out + 40;
  REQUIRE(ctnn::kernels::detail::use_transposed_forward(batch, In, Out));
  REQUIRE_FALSE(ctnn::kernels::detail::use_transposed_forward(big, In, Out));
  const auto xb = random_vec<float>(big * In, 41 + batch), w = random_vec<float>(Out * In, 42 + In),
             b = random_vec<float>(Out, 43 + Out);
  std::vector<float> y(batch * Out), z(batch * Out), yb(big * Out), zb(big * Out);
  ctnn::kernels::dense_forward<In, Out, Act>(xb.data(), batch, w.data(), b.data(), y.data(), z.data(), ws);
  ctnn::kernels::dense_forward<In, Out, Act>(xb.data(), big, w.data(), b.data(), yb.data(), zb.data(), ws);
  CHECK(std::memcmp(y.data(), yb.data(), y.size() * sizeof(float)) == 0);
  CHECK(std::memcmp(z.data(), zb.data(), z.size() * sizeof(float)) == 0);
}

TEST_CASE("dense_forward takes the transposed form with the usual form's bits (1-2 threads)",
          "[kernels][forward][transposed]") {
  ctnn::kernels::workspace ws;
  for_threads([&](int) {
    for (std::size_t batch : {32, 47, 64}) {
      check_transposed_dispatch<784, 256, ctnn::relu>(batch, ws);  // 2 threads: 128 rows of W each
      check_transposed_dispatch<784, 500, ctnn::gelu>(batch, ws);  // split at row 256, overlapping last tile
      check_transposed_dispatch<513, 450, ctnn::tanh>(batch, ws);  // split at row 240, Out mod 12 tail tile
    }
  });
}

TEST_CASE("dense_forward's transposed form gives the usual form's bits", "[kernels][forward][transposed]") {
  for (std::size_t batch : {32, 33, 64, 100}) {
    check_transposed_forward<33, 257, ctnn::gelu>(batch, 0, 257);      // tail tile of 257 mod 12 = 5 rows
    check_transposed_forward<33, 257, ctnn::relu>(batch, 96, 257);     // the second of two threads' rows
    check_transposed_forward<64, 128, ctnn::identity>(batch, 0, 64);   // an overlapping last tile
    check_transposed_forward<64, 128, ctnn::tanh>(batch, 64, 128);
    check_transposed_forward<784, 256, ctnn::relu>(batch, 0, 256);
    check_transposed_forward<17, 7, ctnn::sigmoid>(batch, 0, 7);       // Out < 12: one short tile
    check_transposed_forward<3, 100, ctnn::silu>(batch, 5, 19);        // under two tiles, the second overlapping
  }
  // dense_forward takes it where the batch is at most half of Out (and at least one panel), and
  // the packed xᵀ at most 512 KiB.
  using ctnn::kernels::detail::use_transposed_forward;
  STATIC_REQUIRE(use_transposed_forward(64, 784, 256));
  STATIC_REQUIRE(use_transposed_forward(33, 256, 128));
  STATIC_REQUIRE_FALSE(use_transposed_forward(31, 784, 256));
  STATIC_REQUIRE_FALSE(use_transposed_forward(256, 784, 256));
  STATIC_REQUIRE_FALSE(use_transposed_forward(128, 256, 128));
  STATIC_REQUIRE(use_transposed_forward(128, 1024, 2048));   // xᵀ 512 KiB
  STATIC_REQUIRE_FALSE(use_transposed_forward(256, 1024, 2048));  // 1 MiB
}
#endif
