#pragma once
// Shared checks of the dense kernels against ctnn::kernels::ref.
//
// Tolerance. A dot product of length K computed in any order in precision u (unit roundoff)
// has |error| ≤ γ_K Σ|a_k b_k| with γ_K = K·u/(1−K·u) (Higham, Thm 3.1 / eq. 3.5); kernel and
// reference each carry such an error, so they may differ by 2·γ_K·Σ|a b|. After an elementwise
// function f the difference is scaled by |f'| ≤ 1.2 (all ctnn activations: gelu's max is
// 1.13, selu's λ = 1.05) and f's own evaluation adds a few ulps of the result (xsimd's vector
// tanh/exp/erf vs the scalar ones: ≤ 4 ulps measured, 16 allowed). So
//   |kernel − ref| ≤ 1.2 · 2 (K+1) u · (Σ|a b| + |bias|) · 2 + 16 u |ref| + 16 u·(denormal floor),
// the final ×2 being slack for the derivative products in the backward pass.
// Activation functions and derivatives evaluated near a cancellation (gelu(z) for z ≪ 0:
// 1 + erf → 0; gelu'/silu' where Φ(z) + zφ(z) crosses 0) are only accurate to a few ulps of
// their terms, not of the result, and xsimd's double erf is itself off by up to ~35 ulps
// (measured near |z| = 3): ≤ 64 u (1 + |z|) absolute is added for them (`act_tol`).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

#include <ctnn/core/aligned_buffer.hpp>
#include <ctnn/core/parallel_for.hpp>
#include <ctnn/kernels/dense.hpp>
#include <ctnn/layers/activations.hpp>

namespace kcheck {

inline const std::size_t batches[] = {1, 3, 7, 17, 33, 100, 257};

template <class S>
std::vector<S> random_vec(std::size_t n, std::uint64_t seed, S lo = S(-1), S hi = S(1)) {
  std::vector<S> v(n);
  std::uint64_t s = seed * 0x9E3779B97F4A7C15ull + 1;
  for (auto& e : v) {
    s ^= s << 13; s ^= s >> 7; s ^= s << 17;
    e = lo + (hi - lo) * S(double(s >> 11) * (1.0 / 9007199254740992.0));
  }
  return v;
}

template <class S>
S tol(std::size_t K, S abs_sum, S ref) {
  const S u = std::numeric_limits<S>::epsilon() / 2;
  return S(1.2) * 2 * S(K + 1) * u * abs_sum * 2 + 16 * u * std::abs(ref) + 16 * u * std::numeric_limits<S>::min();
}

template <class S>
S act_tol(S z) {
  return 64 * (std::numeric_limits<S>::epsilon() / 2) * (1 + std::abs(z));
}

template <class S>
std::string name() { return std::is_same_v<S, float> ? "float" : "double"; }

template <class S>
bool close(S got, S want, S t) {
  if (std::isnan(want)) return std::isnan(got);
  return std::abs(got - want) <= t;
}

template <std::size_t In, std::size_t Out, class Act, class S>
void check_forward(std::size_t batch, ctnn::kernels::workspace& ws) {
  const auto x = random_vec<S>(batch * In, 1 + batch), w = random_vec<S>(Out * In, 2 + In),
             b = random_vec<S>(Out, 3 + Out);
  std::vector<S> y(batch * Out, S(-7)), z(batch * Out, S(-7)), yr(batch * Out), zr(batch * Out), y2(batch * Out);
  ctnn::kernels::dense_forward<In, Out, Act>(x.data(), batch, w.data(), b.data(), y.data(), z.data(), ws);
  ctnn::kernels::dense_forward<In, Out, Act>(x.data(), batch, w.data(), b.data(), y2.data(), static_cast<S*>(nullptr), ws);
  ctnn::kernels::ref::dense_forward<In, Out, Act>(x.data(), batch, w.data(), b.data(), yr.data(), zr.data());
  std::size_t bad = 0;
  for (std::size_t i = 0; i < batch; ++i)
    for (std::size_t o = 0; o < Out; ++o) {
      S as = std::abs(b[o]);
      for (std::size_t k = 0; k < In; ++k) as += std::abs(x[i * In + k] * w[o * In + k]);
      const std::size_t e = i * Out + o;
      const S tz = tol<S>(In, as, zr[e]);
      const S ty = tol<S>(In, as, yr[e]) + act_tol(zr[e]);
      if (!close(z[e], zr[e], tz) || !close(y[e], yr[e], ty) || std::memcmp(&y[e], &y2[e], sizeof(S)) != 0) {
        if (bad++ < 3)
          UNSCOPED_INFO("forward<" << In << "," << Out << "," << Act::torch_name << "," << name<S>() << "> batch "
                                   << batch << " [" << i << "," << o << "] z " << z[e] << " vs " << zr[e] << " y "
                                   << y[e] << " vs " << yr[e] << " (no-z run " << y2[e] << ") tol " << ty);
      }
    }
  CHECK(bad == 0);
}

template <std::size_t In, std::size_t Out, class PrevAct, class S>
void check_backward_input(std::size_t batch, ctnn::kernels::workspace& ws) {
  constexpr bool ident = std::is_same_v<PrevAct, ctnn::identity>;
  const auto dz = random_vec<S>(batch * Out, 11 + batch), w = random_vec<S>(Out * In, 12 + In);
  // saved: an activation output (or pre-activation), in the activation's natural range.
  auto saved = random_vec<S>(batch * In, 13 + Out, S(-2), S(2));
  if constexpr (PrevAct::derivative_from_output) {
    for (auto& s : saved) s = PrevAct::forward(s);
  }
  const S* sp = ident ? nullptr : saved.data();
  std::vector<S> dx(batch * In, S(-7)), dxr(batch * In);
  ctnn::kernels::dense_backward_input<In, Out, PrevAct>(dz.data(), batch, w.data(), sp, dx.data(), ws);
  ctnn::kernels::ref::dense_backward_input<In, Out, PrevAct>(dz.data(), batch, w.data(), sp, dxr.data());
  std::size_t bad = 0;
  for (std::size_t i = 0; i < batch; ++i)
    for (std::size_t n = 0; n < In; ++n) {
      S as = 0;
      for (std::size_t o = 0; o < Out; ++o) as += std::abs(dz[i * Out + o] * w[o * In + n]);
      const std::size_t e = i * In + n;
      S t = tol<S>(Out, ident ? as : as * std::abs(PrevAct::derivative(saved[e])), dxr[e]);
      if (!ident) t += as * act_tol(saved[e]);
      if (!close(dx[e], dxr[e], t)) {
        if (bad++ < 3)
          UNSCOPED_INFO("backward_input<" << In << "," << Out << "," << PrevAct::torch_name << "," << name<S>()
                                          << "> batch " << batch << " [" << i << "," << n << "] " << dx[e] << " vs "
                                          << dxr[e]);
      }
    }
  CHECK(bad == 0);
}

/// x_offset: x starts that many elements past a 64-byte boundary (0: aligned, so that x's panels
/// may be read in place; 1: never).
/// OwnerRows: the dense layers' split of dW by the forward's rows of W (when it splits by panels).
template <std::size_t In, std::size_t Out, class S, bool OwnerRows = false>
void check_backward_weights(std::size_t batch, bool accumulate, ctnn::kernels::workspace& ws, std::size_t x_offset = 1) {
  const auto dz = random_vec<S>(batch * Out, 21 + batch), x = random_vec<S>(batch * In, 22 + In);
  ctnn::aligned_buffer<S> xa(batch * In + 64);
  std::copy(x.begin(), x.end(), xa.data() + x_offset);
  auto dw = random_vec<S>(Out * In, 23), db = random_vec<S>(Out, 24);
  auto dwr = dw, dbr = db;
  const auto dw0 = dw, db0 = db;
  ctnn::kernels::dense_backward_weights<In, Out, OwnerRows>(dz.data(), xa.data() + x_offset, batch, dw.data(),
                                                            db.data(), accumulate, ws);
  ctnn::kernels::ref::dense_backward_weights<In, Out>(dz.data(), x.data(), batch, dwr.data(), dbr.data(), accumulate);
  std::size_t bad = 0;
  for (std::size_t o = 0; o < Out; ++o) {
    for (std::size_t n = 0; n < In; ++n) {
      S as = accumulate ? std::abs(dw0[o * In + n]) : S(0);
      for (std::size_t i = 0; i < batch; ++i) as += std::abs(dz[i * Out + o] * x[i * In + n]);
      const std::size_t e = o * In + n;
      if (!close(dw[e], dwr[e], tol<S>(batch, as, dwr[e]))) {
        if (bad++ < 3)
          UNSCOPED_INFO("backward_weights<" << In << "," << Out << "," << name<S>() << "> batch " << batch
                                            << " acc " << accumulate << " dW[" << o << "," << n << "] " << dw[e]
                                            << " vs " << dwr[e]);
      }
    }
    S as = accumulate ? std::abs(db0[o]) : S(0);
    for (std::size_t i = 0; i < batch; ++i) as += std::abs(dz[i * Out + o]);
    if (!close(db[o], dbr[o], tol<S>(batch, as, dbr[o]))) {
      if (bad++ < 3)
        UNSCOPED_INFO("backward_weights<" << In << "," << Out << "," << name<S>() << "> batch " << batch << " acc "
                                          << accumulate << " db[" << o << "] " << db[o] << " vs " << dbr[o]);
    }
  }
  CHECK(bad == 0);
}

/// Runs f.template operator()<Act>() for every activation in ctnn::all_activations.
template <class F>
void for_each_activation(F&& f) {
  [&]<class... A>(std::tuple<A...>*) { (f.template operator()<A>(), ...); }(static_cast<ctnn::all_activations*>(nullptr));
}

/// Thread counts tested: 1 and 2 (restoring the previous setting).
template <class F>
void for_threads(F&& f) {
  const int saved = ctnn::num_threads();
  for (int t : {1, 2}) {
    ctnn::set_num_threads(t);
    f(t);
  }
  ctnn::set_num_threads(saved);
}

}  // namespace kcheck
