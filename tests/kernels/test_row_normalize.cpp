// The per-sample normalization kernel (kernels/row_normalize.hpp) against its scalar reference,
// and the dense layer with that normalization as its epilogue (kernels/dense_forward_normalized.hpp)
// against the two unfused kernels.
//
// Bound for normalize_rows vs ref::normalize_rows, per group of n features (u = unit roundoff;
// each side's error from the exact value, doubled for the difference between the two):
//   μ: a sum of n terms, then a division: e_μ = (n + 1) u · mean|z|.
//   σ²: Σ (z − μ̃)² = Σ (z − μ)² + n (μ̃ − μ)² (the linear term vanishes), rounded over n + 2
//       operations, so r = 1/√(σ² + ε) has relative error e_r = ((n + 3) u + (e_μ r)²)/2 + 2u.
//   x̂ = (z − μ̃) r̃: e_x̂ = e_μ r + |x̂| (e_r + 2u);  yn = γ x̂ + β: e_yn = |γ| e_x̂ + 2u (|γ x̂| + |β|);
//   y = Act(yn): 1.2 e_yn (|Act'| ≤ 1.2) plus the activation's own few ulps (kcheck::act_tol).
// The fused kernel must equal dense_forward followed by normalize_rows bit for bit: each z is the
// same fma chain and each row the same function.
#include "kernel_check.hpp"

#include <ctnn/kernels/dense_forward_normalized.hpp>
#include <ctnn/kernels/reference.hpp>
#include <ctnn/kernels/row_normalize.hpp>

using namespace kcheck;

namespace {

template <std::size_t Width, std::size_t G, bool Centered, bool HasBias, class Act, class S>
void check_rows(std::size_t rows) {
  constexpr std::size_t n = Width / G;
  const S eps = S(1e-5);
  const auto z = random_vec<S>(rows * Width, 11 + Width + G, S(-1), S(2));  // mean 0.5: centering matters
  const auto gamma = random_vec<S>(Width, 12, S(0.5), S(1.5));
  const auto beta = random_vec<S>(Width, 13);
  std::vector<S> xh(rows * Width), r(rows * G), yn(rows * Width), y(rows * Width);
  std::vector<S> xh0(xh), r0(r), yn0(yn), y0(y);
  ctnn::kernels::normalize_rows<Width, G, Centered, HasBias, Act>(z.data(), rows, gamma.data(), beta.data(), eps,
                                                                  xh.data(), r.data(), yn.data(), y.data());
  ctnn::kernels::ref::normalize_rows<Width, G, Centered, HasBias, Act>(z.data(), rows, gamma.data(), beta.data(), eps,
                                                                       xh0.data(), r0.data(), yn0.data(), y0.data());
  const double u = std::numeric_limits<S>::epsilon() / 2;
  std::size_t bad = 0;
  for (std::size_t i = 0; i < rows; ++i)
    for (std::size_t grp = 0; grp < G; ++grp) {
      const std::size_t o = i * Width + grp * n;
      double abs_mean = 0;
      for (std::size_t j = 0; j < n; ++j) abs_mean += std::abs(double(z[o + j]));
      abs_mean /= double(n);
      const double e_mu = Centered ? (double(n) + 1) * u * abs_mean : 0.0;
      const double rr = r0[i * G + grp];
      const double e_r = ((double(n) + 3) * u + (e_mu * rr) * (e_mu * rr)) / 2 + 2 * u;
      if (std::abs(double(r[i * G + grp]) - rr) > 2 * e_r * rr) ++bad;
      for (std::size_t j = 0; j < n; ++j) {
        const std::size_t f = grp * n + j;
        const double x_ref = xh0[o + j], g = std::abs(double(gamma[f])), b = HasBias ? std::abs(double(beta[f])) : 0.0;
        const double e_x = e_mu * rr + std::abs(x_ref) * (e_r + 2 * u);
        const double e_yn = g * e_x + 2 * u * (g * std::abs(x_ref) + b);
        const double e_y = 1.2 * e_yn + double(act_tol(yn0[o + j]));
        const bool ok = std::abs(double(xh[o + j]) - x_ref) <= 2 * e_x && std::abs(double(yn[o + j]) - yn0[o + j]) <= 2 * e_yn &&
                        std::abs(double(y[o + j]) - y0[o + j]) <= 2 * e_y;
        if (!ok && bad < 5)
          UNSCOPED_INFO(name<S>() << " width " << Width << " G " << G << " row " << i << " feature " << f << ": x̂ " << xh[o + j]
                                  << " vs " << x_ref << ", yn " << yn[o + j] << " vs " << yn0[o + j] << ", y " << y[o + j]
                                  << " vs " << y0[o + j]);
        bad += !ok;
      }
    }
  CHECK(bad == 0);
}

template <std::size_t Width, std::size_t G, class S>
void check_width(std::size_t rows) {
  check_rows<Width, G, true, true, ctnn::identity, S>(rows);  // layer_norm / group_norm
  check_rows<Width, G, true, true, ctnn::tanh, S>(rows);
  check_rows<Width, G, false, false, ctnn::relu, S>(rows);  // rms_norm
}

/// dense_forward_normalized == dense_forward + normalize_rows, bit for bit.
template <std::size_t In, std::size_t Out, std::size_t G, bool Centered, bool HasBias, class Act, class S>
void check_fused(std::size_t batch, ctnn::kernels::workspace& ws) {
  const auto x = random_vec<S>(batch * In, 21 + In);
  const auto w = random_vec<S>(Out * In, 22 + Out);
  const auto b = random_vec<S>(Out, 23, S(-0.5), S(1.5));
  const auto gamma = random_vec<S>(Out, 24, S(0.5), S(1.5));
  const auto beta = random_vec<S>(Out, 25);
  const S eps = S(1e-5);
  const bool act = !std::is_same_v<Act, ctnn::identity>;
  std::vector<S> z(batch * Out), xh(batch * Out), r(batch * G), yn(batch * Out), y(batch * Out);
  std::vector<S> z0(z), xh0(xh), r0(r), yn0(yn), y0(y);
  ctnn::kernels::dense_forward_normalized<In, Out, G, Centered, HasBias, Act>(
      x.data(), batch, w.data(), b.data(), gamma.data(), beta.data(), eps, z.data(), xh.data(), r.data(), yn.data(),
      act ? y.data() : nullptr, ws);
  ctnn::kernels::dense_forward<In, Out, ctnn::identity>(x.data(), batch, w.data(), b.data(), z0.data(),
                                                        static_cast<S*>(nullptr), ws);
  ctnn::kernels::normalize_rows<Out, G, Centered, HasBias, Act>(z0.data(), batch, gamma.data(), beta.data(), eps,
                                                                xh0.data(), r0.data(), yn0.data(), act ? y0.data() : nullptr);
  INFO(name<S>() << " " << In << "→" << Out << " G " << G << " batch " << batch << " threads " << ctnn::num_threads());
  CHECK(z == z0);
  CHECK(xh == xh0);
  CHECK(r == r0);
  CHECK(yn == yn0);
  if (act) CHECK(y == y0);
}

template <std::size_t In, std::size_t Out, std::size_t G, class S>
void check_fused_all(std::size_t batch, ctnn::kernels::workspace& ws) {
  check_fused<In, Out, 1, true, true, ctnn::relu, S>(batch, ws);        // layer_norm, relu
  check_fused<In, Out, G, true, true, ctnn::identity, S>(batch, ws);    // group_norm, no activation
  check_fused<In, Out, 1, false, false, ctnn::gelu, S>(batch, ws);      // rms_norm, gelu
}

}  // namespace

TEST_CASE("normalize_rows matches the scalar reference (widths 1-257, groups, rms; float and double)",
          "[kernels][row_normalize]") {
  for (std::size_t rows : {1, 3, 17}) {
    check_width<1, 1, float>(rows);
    check_width<3, 1, float>(rows);
    check_width<7, 7, float>(rows);
    check_width<17, 1, float>(rows);
    check_width<33, 3, float>(rows);
    check_width<100, 4, float>(rows);
    check_width<257, 1, float>(rows);
    check_width<3, 1, double>(rows);
    check_width<33, 3, double>(rows);
    check_width<100, 4, double>(rows);
    check_width<257, 1, double>(rows);
  }
}

TEST_CASE("dense_forward_normalized equals dense_forward then normalize_rows, bit for bit (1-2 threads)",
          "[kernels][row_normalize]") {
  ctnn::kernels::workspace ws;
  for_threads([&](int) {
    for (std::size_t batch : batches) {
      check_fused_all<5, 3, 3, float>(batch, ws);      // Out < 4: the dot-product path
      check_fused_all<17, 33, 3, float>(batch, ws);    // a tail panel
      check_fused_all<64, 100, 4, double>(batch, ws);
      check_fused_all<160, 257, 1, float>(batch, ws);  // several row blocks; 2 threads from batch 100 on
    }
  });
}
