#pragma once
// add: out = a + b elementwise (the residual connection). out may alias a or b.
#include <cstddef>
#include <xsimd/xsimd.hpp>

namespace ctnn::kernels {

template <class S>
void add(const S* a, const S* b, S* out, std::size_t n) {
  using batch = xsimd::batch<S>;
  constexpr std::size_t w = batch::size;
  std::size_t i = 0;
  for (; i + w <= n; i += w)
    (batch::load_unaligned(a + i) + batch::load_unaligned(b + i)).store_unaligned(out + i);
  for (; i < n; ++i) out[i] = a[i] + b[i];
}

namespace ref {
template <class S>
void add(const S* a, const S* b, S* out, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) out[i] = a[i] + b[i];
}
}  // namespace ref

}  // namespace ctnn::kernels
