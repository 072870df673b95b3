#pragma once
// dense_backward_input: dx = (dz·W) ⊙ PrevAct::derivative(saved), the previous layer's
// activation derivative fused into the GEMM epilogue.
//
// dz: batch×Out, W: Out×In, saved/dx: batch×In. GEMM view: A = dz (broadcast along k = Out),
// B = W, whose rows are already k-major: packed panel by panel (a copy, O(In·Out)) so the
// micro-kernel reads them with unit stride. Threads split the weight panels (or the batch rows); bitwise identical
// for any thread count.
#include <algorithm>
#include <cstddef>
#include <tuple>
#include <type_traits>

#include <ctnn/core/parallel_for.hpp>
#include <ctnn/kernels/blocking.hpp>
#include <ctnn/kernels/gemm_microkernel.hpp>
#include <ctnn/kernels/pack.hpp>
#include <ctnn/kernels/workspace.hpp>
#include <ctnn/layers/identity.hpp>

namespace ctnn::kernels {

namespace detail {

template <std::size_t In, std::size_t Out, class PrevAct, class S, int MR, int NV, std::size_t NR>
CTNN_KERNEL_INLINE void dense_backward_input_panel(const S* dz, std::size_t r0, std::size_t r1, const S* panel,
                                                   std::size_t n0, const S* saved, S* dx, S* tail) {
  constexpr std::size_t L = lanes<S>;
  gemm_panel_rows<S, MR, NV, Out, NR>(dz, panel, Out, r0, r1, tail, [&](std::size_t i, const S* ct, std::size_t rows) {
    for (std::size_t r = 0; r < rows; ++r)
      for (std::size_t v = 0; v < std::size_t(NV); ++v) {
        const std::size_t col = n0 + v * L;
        const std::size_t nv = std::min(L, In - col);
        const std::size_t off = (i + r) * In + col;
        const vec<S> g = vec<S>::load_aligned(ct + (r * NV + v) * L);
        if constexpr (std::is_same_v<PrevAct, ctnn::identity>) store_n(dx + off, g, nv);
        else store_n(dx + off, g * PrevAct::derivative(load_n(saved + off, nv)), nv);
      }
  });
}

/// Weight panel p of W (Out×In) packed into `dst` (a copy of NR columns, k-major): out of line
/// and shared, as pack_forward_panel.
template <std::size_t In, std::size_t Out, class S>
[[gnu::noinline]] void pack_backward_panel(const S* w, std::size_t p, S* dst) {
  using blk = nblocking<S, In>;
  const std::size_t n0 = p * blk::NR;
  if (p < blk::full_panels) pack_rows<S, blk::NR>(w + n0, In, Out, blk::NR, dst);
  else if constexpr (blk::NVt > 0) pack_rows<S, blk::NRt>(w + n0, In, Out, blk::tail_cols, dst);
}

/// Rows [r0, r1) of weight panel p (packed at `panel`): the one out-of-line copy per layer shape
/// and PrevAct, shared by dense_backward_input and the pre-packed callers (as
/// dense_forward_panel_rows).
template <std::size_t In, std::size_t Out, class PrevAct, class S>
[[gnu::noinline]] void dense_backward_input_panel_rows(const S* dz, std::size_t r0, std::size_t r1, const S* panel,
                                                       std::size_t p, const S* saved, S* dx, S* tail) {
  using blk = nblocking<S, In>;
  if (p < blk::full_panels)
    dense_backward_input_panel<In, Out, PrevAct, S, blk::MR, blk::NV, blk::NR>(dz, r0, r1, panel, p * blk::NR, saved,
                                                                               dx, tail);
  else if constexpr (blk::NVt > 0)
    dense_backward_input_panel<In, Out, PrevAct, S, blk::MRt, blk::NVt, blk::NRt>(dz, r0, r1, panel, p * blk::NR,
                                                                                  saved, dx, tail);
}

}  // namespace detail

/// Pre-packed weights for repeated input-gradient GEMMs with the same W (see
/// dense_forward_packing): dx = (dz·W) ⊙ PrevAct'(saved) over `rows` rows, serial.
template <std::size_t In, std::size_t Out, class S>
struct dense_backward_input_packing {
  using blk = detail::nblocking<S, In>;
  static constexpr std::size_t panel_stride = (Out * std::max(blk::NR, blk::NRt) + 15) / 16 * 16;
  static constexpr std::size_t packed_size = panel_stride * blk::panels;
  static constexpr std::size_t tail_size = std::size_t(std::max(blk::MR, blk::MRt)) * Out;

  static void pack(const S* w, S* packed) {
    for (std::size_t p = 0; p < blk::panels; ++p) detail::pack_backward_panel<In, Out>(w, p, packed + p * panel_stride);
  }
  template <class PrevAct>
  static void backward(const S* dz, std::size_t rows, const S* packed, const S* saved, S* dx, S* tail) {
    for (std::size_t p = 0; p < blk::panels; ++p)
      detail::dense_backward_input_panel_rows<In, Out, PrevAct>(dz, 0, rows, packed + p * panel_stride, p, saved, dx,
                                                                tail);
  }
};

template <std::size_t In, std::size_t Out, class PrevAct, class S>
void dense_backward_input(const S* dz, std::size_t batch, const S* w, const S* saved, S* dx, workspace& ws) {
  using namespace detail;
  using blk = nblocking<S, In>;
  if (batch == 0) return;
  const double flops = 2.0 * double(batch) * double(In) * double(Out);
  const std::size_t row_blocks = (batch + blk::MR - 1) / blk::MR;
  const int threads = threads_for(flops, row_blocks, ctnn::num_threads());
  // Per thread: the packed panel (Out × NR), then the row-tail copy (MR × Out).
  constexpr std::size_t panel_elems = (Out * std::max(blk::NR, blk::NRt) + 15) / 16 * 16;
  ws.reserve(threads, (panel_elems + std::size_t(std::max(blk::MR, blk::MRt)) * Out) * sizeof(S));
  // Split by weight panels when they divide evenly, else by batch rows (as dense_forward).
  const bool by_panels = threads > 1 && blk::panels % std::size_t(threads) == 0;
  parallel_chunks(threads, [&](int c, int cs) {
    std::size_t r0 = 0, r1 = batch, p0 = 0, p1 = blk::panels;
    if (by_panels) {
      std::tie(p0, p1) = chunk_range(blk::panels, c, cs);
    } else {
      const auto [blo, bhi] = chunk_range(row_blocks, c, cs);
      r0 = blo * blk::MR;
      r1 = std::min(batch, bhi * blk::MR);
    }
    if (r0 >= r1) return;
    S* panel = ws.buffer<S>(c);
    S* tail = panel + panel_elems;
    for (std::size_t p = p0; p < p1; ++p) {
      pack_backward_panel<In, Out>(w, p, panel);
      dense_backward_input_panel_rows<In, Out, PrevAct>(dz, r0, r1, panel, p, saved, dx, tail);
    }
  });
}

}  // namespace ctnn::kernels
