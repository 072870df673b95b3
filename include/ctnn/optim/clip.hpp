#pragma once
// Gradient clipping over the gradient arena (Pascanu, Mikolov & Bengio 2013, arXiv:1211.5063),
// as torch.nn.utils.clip_grad_norm_ / clip_grad_value_:
//   global_norm(g)            ‖g‖₂ over the arena (accumulated in double)
//   clip_by_global_norm(g, c) g ← g · c/(‖g‖ + 10⁻⁶) when that factor is below 1; returns ‖g‖
//   clip_by_value(g, c)       g_i ← min(max(g_i, −c), c)
// The trainer's forward_backward fills the arena; clip between it and apply_update().
#include <cmath>
#include <cstddef>
#include <xsimd/xsimd.hpp>
#include <ctnn/optim/fused_pass.hpp>

namespace ctnn::optim {

/// ‖g‖₂ over n elements.
template <class S>
double global_norm(const S* g, std::size_t n) {
  using B = xsimd::batch<S>;
  return std::sqrt(parallel_sum<1>(0, n, [&](std::size_t a, std::size_t b) {
    return fused_sum_squares<1, S>(a, b, [](B x) { return std::array<B, 1>{x}; }, g);
  })[0]);
}

/// Rescales g to norm at most max_norm (PyTorch's 10⁻⁶ guard included); returns the norm before.
template <class S>
double clip_by_global_norm(S* g, std::size_t n, double max_norm) {
  using B = xsimd::batch<S>;
  const double norm = global_norm(g, n);
  const double coef = max_norm / (norm + 1e-6);
  if (coef < 1.0) {
    const S c = static_cast<S>(coef);
    fused_pass_parallel(std::size_t{0}, n, static_cast<const S*>(g), [&](B, B& gg) { gg = gg * B(c); }, g);
  }
  return norm;
}

/// Clamps every element of g into [−c, c].
template <class S>
void clip_by_value(S* g, std::size_t n, S c) {
  using B = xsimd::batch<S>;
  fused_pass_parallel(std::size_t{0}, n, static_cast<const S*>(g),
                      [&](B, B& gg) { gg = xsimd::min(xsimd::max(gg, B(-c)), B(c)); }, g);
}

}  // namespace ctnn::optim
