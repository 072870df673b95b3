#pragma once
// Elementwise activation kernels (a standalone activation layer, or a gradient that did not
// come through a fused GEMM, e.g. from a loss). Vectorized with xsimd, masked tail.
#include <cstddef>

#include <ctnn/kernels/gemm_microkernel.hpp>

namespace ctnn::kernels {

/// y = Act(x), n elements.
template <class Act, class S>
void activation_forward(const S* x, S* y, std::size_t n) {
  using V = detail::vec<S>;
  constexpr std::size_t L = detail::lanes<S>;
  std::size_t i = 0;
  for (; i + L <= n; i += L) Act::forward(V::load_unaligned(x + i)).store_unaligned(y + i);
  if (i < n) detail::store_partial(y + i, Act::forward(detail::load_partial(x + i, n - i)), n - i);
}

/// dz = dy ⊙ Act::derivative(saved), n elements (saved: y, or z when !Act::derivative_from_output).
template <class Act, class S>
void activation_backward(const S* dy, const S* saved, S* dz, std::size_t n) {
  using V = detail::vec<S>;
  constexpr std::size_t L = detail::lanes<S>;
  std::size_t i = 0;
  for (; i + L <= n; i += L)
    (V::load_unaligned(dy + i) * Act::derivative(V::load_unaligned(saved + i))).store_unaligned(dz + i);
  if (i < n)
    detail::store_partial(dz + i, detail::load_partial(dy + i, n - i) * Act::derivative(detail::load_partial(saved + i, n - i)),
                          n - i);
}

}  // namespace ctnn::kernels
