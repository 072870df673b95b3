#pragma once
// dense_forward_normalized: a dense layer followed by a per-sample normalization (layer_norm,
// group_norm over features, rms_norm) and optionally an activation, as one kernel:
//   z = x·Wᵀ + b,  per row: x̂ = (z − μ)/√(σ² + ε),  yn = γ ⊙ x̂ + β,  y = Act(yn)
// (row_normalize.hpp has the per-group formulas).
//
// A normalization needs a whole row of z, while the GEMM epilogue of dense_forward sees one
// panel of columns at a time. So here rows are the outer loop: W is packed once (all panels),
// each thread takes a contiguous range of rows and computes them a block of
// normalized_block_rows() rows at a time, every panel, then normalizes the block while it is
// still in L1. With several threads whose count divides the panels, the GEMM is split by panels
// instead and the rows are normalized after a barrier, in the same parallel region (see below).
// Unfused, the normalization is a kernel of its own after the GEMM's, and z a round trip.
// z is still stored (the probes read each layer's output); x̂, r, yn and y are what the norm's
// and the activation's backward read.
//
// Each z element is the same fma chain as in dense_forward and the normalization is the same
// function as the standalone norm layer's, so the fused and unfused forwards agree bitwise.
#include <algorithm>
#include <cstddef>

#include <ctnn/core/parallel_for.hpp>
#include <ctnn/kernels/dense_forward.hpp>
#include <ctnn/kernels/row_normalize.hpp>
#include <ctnn/kernels/workspace.hpp>
#include <ctnn/layers/identity.hpp>

namespace ctnn::kernels {

/// Rows per block: about 32 KiB of z (an L1's worth), a multiple of the micro-kernel's rows.
/// (128 KiB and 512 KiB blocks measured the same or up to 3% slower on 784→256, batch 64/256.)
template <class S, std::size_t Out>
constexpr std::size_t normalized_block_rows() {
  using blk = detail::nblocking<S, Out>;
  const std::size_t mr = std::size_t(blk::MR);
  const std::size_t rows = (32 * 1024 / sizeof(S)) / Out;
  return std::max(mr, rows / mr * mr);
}

template <std::size_t In, std::size_t Out, std::size_t G, bool Centered, bool HasBias, class Act, class S>
void dense_forward_normalized(const S* x, std::size_t batch, const S* w, const S* b, const S* gamma, const S* beta,
                              S eps, S* z, S* xhat, S* r, S* yn, S* y, workspace& ws) {
  using namespace detail;
  if (batch == 0) return;
  if constexpr (Out < 4) {
    // A regression head: nothing to fuse into; the dot-product path, then the rows.
    dense_forward<In, Out, identity>(x, batch, w, b, z, static_cast<S*>(nullptr), ws);
    normalize_rows<Out, G, Centered, HasBias, Act>(z, batch, gamma, beta, eps, xhat, r, yn, y);
  } else {
    using packing = dense_forward_packing<In, Out, S>;
    using blk = typename packing::blk;
    const double flops = 2.0 * double(batch) * double(In) * double(Out);
    const std::size_t row_tiles = (batch + blk::MR - 1) / blk::MR;
    const int threads = threads_for(flops, row_tiles, ctnn::num_threads());
    S* packed = ws.scratch<S>(packing::packed_size);
    ws.reserve(threads, packing::tail_size * sizeof(S));
    constexpr std::size_t block = normalized_block_rows<S, Out>();
    // With several threads and panels that divide among them, the GEMM is split by panels as in
    // dense_forward (each thread reads only its part of W: on 784-256-LN-relu-256-LN-relu-10,
    // batch 64, 2 threads, splitting rows instead made the forward 1.5× slower), then, after a
    // barrier, thread 0 normalizes the rows (splitting them over the threads measured 7% slower:
    // half of each thread's rows were written by the other core). Otherwise row blocks, each
    // normalized right after its GEMM.
    const bool by_panels = threads > 1 && blk::panels % std::size_t(threads) == 0;
    parallel_chunks(threads, [&](int c, int cs) {
      const auto [p0, p1] = chunk_range(blk::panels, c, cs);
      S* tail = ws.buffer<S>(c);
      if (by_panels) {
        for (std::size_t p = p0; p < p1; ++p) {  // each panel used while its packing is in cache
          packing::pack_panels(w, packed, p, p + 1);
          packing::template forward_panels<identity>(x, batch, packed, b, z, static_cast<S*>(nullptr), tail, p, p + 1);
        }
        chunk_barrier();
        if (c == 0) normalize_rows<Out, G, Centered, HasBias, Act>(z, batch, gamma, beta, eps, xhat, r, yn, y);
        return;
      }
      packing::pack_panels(w, packed, p0, p1);  // each thread packs some panels,
      if (cs > 1) chunk_barrier();               // then reads them all
      const auto [lo, hi] = chunk_range(row_tiles, c, cs);
      const std::size_t r0 = lo * blk::MR, r1 = std::min(batch, hi * blk::MR);
      for (std::size_t i = r0; i < r1; i += block) {
        const std::size_t rows = std::min(block, r1 - i);
        packing::template forward<identity>(x + i * In, rows, packed, b, z + i * Out, static_cast<S*>(nullptr), tail);
        normalize_rows<Out, G, Centered, HasBias, Act>(z + i * Out, rows, gamma, beta, eps, xhat + i * Out, r + i * G,
                                                       yn + i * Out, y ? y + i * Out : nullptr);
      }
    });
  }
}

}  // namespace ctnn::kernels
