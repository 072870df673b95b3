#pragma once
// The transposed form of dense_forward, for batches smaller than the layer: yᵀ = W·xᵀ.
//
//   z[i, o] = Σ_k W[o, k] · x[i, k] + b[o],  y = Act(z)
//
// dense_forward's usual form broadcasts x and packs Wᵀ (Out·In values per call); this one
// broadcasts W's rows in place and packs xᵀ instead (batch·In values), so where the batch is
// well below Out the pack shrinks accordingly and the packed operand the micro-kernel streams
// from L2 is two vectors a step instead of four. Each register tile (12 rows of W × 32 batch
// columns) is transposed in registers on its way out, with bias and activation applied before.
// Every output is the same fma chain over k, from 0, as in the usual form (fma(a, b, c) rounds
// a·b + c once, whichever operand is broadcast), so the two forms give the same bits and the
// choice between them is invisible to results.
//
// Measured (1 thread, Intel Xeon 2-core VM, 2026-12-06): 784→256 at batch 64 174 → 150 µs and
// 256→256 at batch 64 55 → 50 µs alone, 784→256 at batch 256 equal (see use_transposed_forward);
// the whole mlp784_b64 training step 606 → 578 µs and 624 → 604 µs (interleaved A/B, 7 and 9
// rounds). Float on AVX-512 only (it relies on the 16×16 register transpose). The transposes
// stay inlined in each tile: one shared out-of-line copy measured 619 µs in that A/B.
#include <algorithm>
#include <cstddef>
#include <type_traits>

#include <ctnn/kernels/gemm_microkernel.hpp>
#include <ctnn/kernels/pack.hpp>

namespace ctnn::kernels::detail {

/// Batch columns per packed xᵀ panel (two vectors) and rows of W per register tile.
inline constexpr std::size_t xt_panel_cols = 32;
inline constexpr int xt_tile_rows = 12;

/// Whether the transposed form exists for S and an In→Out layer: float on AVX-512; Out wide
/// enough for use_transposed_forward below ever to choose it; In ≥ 128, so that each output's
/// In fmas amortize its share of the two register transposes on the way out (about 12 % of a
/// tile's time at In = 128, 23 % at In = 64, where 64→64 at batch 32 measured no faster). Other
/// layers do not instantiate it, which would cost compile time for nothing.
template <class S, std::size_t In, std::size_t Out>
inline constexpr bool transposed_forward_available =
#if defined(__AVX512F__)
    std::is_same_v<S, float> && lanes<S> == 16 && In >= 128 && Out >= 2 * xt_panel_cols;
#else
    false;
#endif

/// Whether dense_forward takes the transposed form for `batch` rows of an in→out layer: at least
/// one whole xᵀ panel; the batch (rounded up to panels) at most half of Out, where packing xᵀ
/// costs at most half of packing Wᵀ; and the packed xᵀ at most 512 KiB, since every 12-row tile
/// of W streams all of it again (half the 1 MiB L2 of the smaller of the hosts measured).
/// Measured against the usual form (1 thread, Intel Xeon host, 2 MiB L2): 784→256 and 256→256 at
/// batch 64 9-14 % faster; 784→256 at batch 256 (batch = Out) equal to 3 % slower; with xᵀ
/// beyond L2 (1024→2048 at batch 1024: 4 MiB; 4096→1024 at batch 512: 8 MiB) 26-38 % slower,
/// at 1 MiB (1024→2048, batch 256) equal.
constexpr bool use_transposed_forward(std::size_t batch, std::size_t in, std::size_t out) noexcept {
  const std::size_t padded = (batch + xt_panel_cols - 1) / xt_panel_cols * xt_panel_cols;
  return batch >= xt_panel_cols && 2 * padded <= out && padded * in * sizeof(float) <= 512 * 1024;
}

/// Elements of the packed xᵀ (all panels) for `batch` rows of an In-wide input.
template <std::size_t In>
constexpr std::size_t transposed_forward_pack_size(std::size_t batch) noexcept {
  return (batch + xt_panel_cols - 1) / xt_panel_cols * xt_panel_cols * In;
}

/// xᵀ packed panel by panel: panel p holds rows [32p, 32p + 32) of x as In × 32 (zero padded).
template <std::size_t In, class S>
void pack_transposed_input(const S* x, std::size_t batch, S* xt) {
  for (std::size_t r0 = 0; r0 < batch; r0 += xt_panel_cols)
    pack_transposed<S, xt_panel_cols>(x + r0 * In, In, In, std::min(xt_panel_cols, batch - r0), xt + r0 * In);
}

#if defined(__AVX512F__)
/// One tile: rows [o0, o0 + R) of W against every xᵀ panel; outputs of rows o0 + first .. stored.
template <std::size_t In, std::size_t Out, class Act, int R>
CTNN_KERNEL_INLINE void transposed_forward_tile(const float* xt, std::size_t batch, const float* w, const float* b,
                                                float* y, float* z, std::size_t o0, int first) {
  using V = vec<float>;
  constexpr int NV = int(xt_panel_cols / 16);
  V bias[R];
#pragma GCC unroll 16
  for (int r = 0; r < R; ++r) bias[r] = V(b[o0 + std::size_t(r)]);
  // Lanes first .. R-1 of a transposed row are this tile's new outputs o0 + first .. o0 + R - 1.
  const __mmask16 keep = static_cast<__mmask16>(((1u << R) - 1u) & ~((1u << first) - 1u));
  for (std::size_t r0 = 0; r0 < batch; r0 += xt_panel_cols) {
    V acc[R][NV];
    gemm_tile<float, R, NV, In, 1, xt_panel_cols>(w + o0 * In, xt + r0 * In, In, acc);
    const std::size_t cols = std::min(xt_panel_cols, batch - r0);
#pragma GCC unroll 2
    for (int v = 0; v < NV; ++v) {
      const std::size_t c0 = std::size_t(v) * 16;
      if (c0 >= cols) break;
      const std::size_t rows = std::min<std::size_t>(16, cols - c0);
      float* yv = y + (r0 + c0) * Out + o0;
      __m512 t[16];
      if (z) {
#pragma GCC unroll 16
        for (int r = 0; r < 16; ++r) t[r] = r < R ? __m512(acc[r][v] + bias[r]) : _mm512_setzero_ps();
        transpose_block(t);
        float* zv = z + (r0 + c0) * Out + o0;
        for (std::size_t j = 0; j < rows; ++j) _mm512_mask_storeu_ps(zv + j * Out, keep, t[j]);
      }
#pragma GCC unroll 16
      for (int r = 0; r < 16; ++r) t[r] = r < R ? __m512(Act::forward(acc[r][v] + bias[r])) : _mm512_setzero_ps();
      transpose_block(t);
      for (std::size_t j = 0; j < rows; ++j) _mm512_mask_storeu_ps(yv + j * Out, keep, t[j]);
    }
  }
}

/// Rows [m0, m1) of W (outputs m0 .. m1 - 1 of every batch row; m1 ≥ min(12, Out)), xᵀ packed
/// by pack_transposed_input. 12-row tiles; Out mod 12 rows at the end of Out form one tail tile
/// (mlp784_b64's step 602 µs with it against 614 µs with an overlapping 12-row tile); any
/// other remainder is a last 12-row tile ending at m1 that overlaps the one before, of which only
/// the new rows are stored (its other rows are the same bits again). The one out-of-line copy
/// per layer shape and activation.
template <std::size_t In, std::size_t Out, class Act>
[[gnu::noinline]] void dense_forward_transposed_rows(const float* xt, std::size_t batch, const float* w,
                                                     const float* b, float* y, float* z, std::size_t m0,
                                                     std::size_t m1) {
  constexpr int R = Out < std::size_t(xt_tile_rows) ? int(Out) : xt_tile_rows;
  constexpr int RT = int(Out % std::size_t(R));
  for (std::size_t i = m0; i < m1;) {
    if constexpr (RT > 0) {
      if (m1 == Out && m1 - i == std::size_t(RT)) {
        transposed_forward_tile<In, Out, Act, RT>(xt, batch, w, b, y, z, i, 0);
        return;
      }
    }
    const std::size_t start = std::min(i, m1 - std::size_t(R));
    transposed_forward_tile<In, Out, Act, R>(xt, batch, w, b, y, z, start, int(i - start));
    i = start + std::size_t(R);
  }
}
#endif

}  // namespace ctnn::kernels::detail
