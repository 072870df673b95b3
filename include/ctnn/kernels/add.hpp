#pragma once
// add: out = a + b elementwise (the residual connection). out may alias a or b.
#include <cstddef>
#include <xsimd/xsimd.hpp>
#include <ctnn/kernels/gemm_microkernel.hpp>

namespace ctnn::kernels {

template <class S>
void add(const S* a, const S* b, S* out, std::size_t n) {
  using batch = xsimd::batch<S>;
  constexpr std::size_t w = batch::size;
  std::size_t i = 0;
  for (; i + w <= n; i += w)
    (batch::load_unaligned(a + i) + batch::load_unaligned(b + i)).store_unaligned(out + i);
  // The tail as one masked vector: a scalar loop here drew g++ 12's false
  // -Waggressive-loop-optimizations once inlined into a residual block's forward.
  if (i < n) {
    const std::size_t r = n - i;
    detail::store_partial(out + i, detail::load_partial(a + i, r) + detail::load_partial(b + i, r), r);
  }
}

namespace ref {
template <class S>
void add(const S* a, const S* b, S* out, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) out[i] = a[i] + b[i];
}
}  // namespace ref

}  // namespace ctnn::kernels
