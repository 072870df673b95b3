#pragma once
// dense_backward_weights: dW = dzᵀ·x (Out×In), db = column sums of dz (Out);
// accumulate = false overwrites dW/db, true adds to them. dense_backward_weights_rows also
// resumes: its sums continue the chains whose partial sums dW/db hold (a batch in row blocks,
// ascending, gives the bits of one call over the whole batch).
//
// GEMM view: M = Out, N = In, K = batch. A = dzᵀ, read straight from dz (A(o, k) = dz[k·Out + o]:
// the MR broadcasts of one k are contiguous), B = x packed panel by panel, or read in place when
// its rows are whole aligned vectors. Threads split the
// panels (columns of In); each element of dW is one fma chain over the whole batch in order,
// so results are bitwise identical for any thread count. db: one vector pass over dz, in
// batch order (serial; batch·Out adds).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <tuple>

#include <ctnn/core/parallel_for.hpp>
#include <ctnn/kernels/blocking.hpp>
#include <ctnn/kernels/gemm_microkernel.hpp>
#include <ctnn/kernels/pack.hpp>
#include <ctnn/kernels/workspace.hpp>

namespace ctnn::kernels {

namespace detail {

/// Rows of the weight-gradient tiles: rows_for(NV) (24 accumulators), Out itself when smaller
/// (Out = 10 → one 10-row tile); Out mod MR rows form one compile-time tail tile. Picking a
/// divisor of Out instead (4×4 tiles for Out = 128, 256) measured 67-72% of peak vs 80%+.
template <std::size_t Out>
constexpr int weight_rows(int nv) noexcept {
  const int mx = rows_for(nv);
  return Out <= std::size_t(mx) ? int(Out) : mx;
}

/// dW (+)= rows [first, Rows) of a tile at dW's row i, columns n0.. (the last vector masked at
/// In), straight from the accumulators: the store is the whole epilogue, so it unrolls with the
/// tile (no round trip through a tile buffer, 2·Rows·NV fewer L1 accesses per tile).
template <std::size_t In, class S, int NV, int Rows>
CTNN_KERNEL_INLINE void weight_tile_epilogue(const vec<S> (&acc)[Rows][NV], S* dw, std::size_t n0, std::size_t i,
                                             std::size_t first, bool accumulate) {
  constexpr std::size_t L = lanes<S>;
#pragma GCC unroll 32
  for (int r = 0; r < Rows; ++r)
#pragma GCC unroll 8
    for (int v = 0; v < NV; ++v) {
      if (std::size_t(r) < first) continue;
      const std::size_t col = n0 + std::size_t(v) * L;
      const std::size_t off = (i + std::size_t(r)) * In + col;
      if constexpr (In % L == 0) {
        if (accumulate) (vec<S>::load_unaligned(dw + off) + acc[r][v]).store_unaligned(dw + off);
        else acc[r][v].store_unaligned(dw + off);
      } else {
        const std::size_t nv = std::min(L, In - col);
        store_n(dw + off, accumulate ? load_n(dw + off, nv) + acc[r][v] : acc[r][v], nv);
      }
    }
}

/// The accumulators of a tile at dW's row i, columns n0..: zero, or (resume) the partial sums dW
/// holds, so the tile's chains continue where the last row block left them. Both are the same
/// loads, from dW's rows or from a row of zeros: a branch between zeroing and loading let g++
/// duplicate the tile's whole k loop (+10 % code on 50 distinct layer widths, bench/compile).
template <std::size_t In, class S, int NV, int Rows>
CTNN_KERNEL_INLINE void weight_tile_start(vec<S> (&acc)[Rows][NV], const S* dw, std::size_t n0, std::size_t i,
                                          bool resume) {
  constexpr std::size_t L = lanes<S>;
  alignas(64) static constexpr S zeros[std::size_t(NV) * L] = {};
  const S* first = resume ? dw + i * In + n0 : zeros;
  const std::size_t stride = resume ? In : 0;
  if constexpr (In % L == 0) {
    const S* row = first;
#pragma GCC unroll 32
    for (int r = 0; r < Rows; ++r, row += stride)
#pragma GCC unroll 8
      for (int v = 0; v < NV; ++v) acc[r][v] = vec<S>::load_unaligned(row + std::size_t(v) * L);
  } else {
    // The panel's last vector may end past In (a masked load); its mask is the same for every row.
#pragma GCC unroll 8
    for (int v = 0; v < NV; ++v) {
      const first_lanes_loader<S> load(std::min(L, In - (n0 + std::size_t(v) * L)));
      const S* row = first + std::size_t(v) * L;
#pragma GCC unroll 32
      for (int r = 0; r < Rows; ++r, row += stride) acc[r][v] = load(row);
    }
  }
}

/// Rows [m0, m1) of one panel of dW's columns (all of Out, or one thread's rows; m1 ≥ MR). B
/// rows are LDB apart: NR in a packed panel, In when read in place. MR-row tiles; the Out mod MR
/// rows at the end of Out form one compile-time tail tile; any other remainder (a thread's rows
/// ending inside Out) is a last MR-row tile ending at m1 that overlaps the one before it, of which
/// only the new rows are stored (an element's fma chain does not depend on its tile, so
/// recomputed rows are the same bits). One function for both, each tile shape expanded at one
/// call site: a whole-Out variant beside the row-range one cost 20-40 % more compile time on 50
/// distinct layer widths (bench/compile). resume: the tiles' chains continue from dW (see
/// weight_tile_start; an overlapping tile's recomputed rows read rows this call has already
/// stored, inside [m0, m1) since m1 − m0 ≥ MR, and are not stored again), and the store
/// overwrites.
template <std::size_t In, std::size_t Out, class S, int MR, int NV, std::size_t NR, std::size_t LDB = NR>
CTNN_KERNEL_INLINE void dense_backward_weights_panel_rows(const S* dz, std::size_t K, const S* panel,
                                                          std::size_t n0, S* dw, bool accumulate, std::size_t m0,
                                                          std::size_t m1, bool resume) {
  const bool add = accumulate && !resume;
  auto tile = [&](std::size_t i, std::size_t first) {
    vec<S> acc[MR][NV];
    weight_tile_start<In, S, NV, MR>(acc, dw, n0, i, resume);
    gemm_tile<S, MR, NV, 1, Out, LDB, true>(dz + i, panel, K, acc);
    weight_tile_epilogue<In, S, NV, MR>(acc, dw, n0, i, first, add);
  };
  constexpr int RT = int(Out % std::size_t(MR));
  for (std::size_t i = m0; i < m1;) {
    if constexpr (RT > 0) {
      if (m1 == Out && m1 - i == std::size_t(RT)) {
        vec<S> acc[RT][NV];
        weight_tile_start<In, S, NV, RT>(acc, dw, n0, i, resume);
        gemm_tile<S, RT, NV, 1, Out, LDB, true>(dz + i, panel, K, acc);
        weight_tile_epilogue<In, S, NV, RT>(acc, dw, n0, i, 0, add);
        return;
      }
    }
    const std::size_t start = std::min(i, m1 - MR);
    tile(start, i - start);
    i = start + MR;
  }
}

/// Whether dW's B panels are read from x in place (row stride In) rather than packed: x's rows
/// must be whole vectors, and either x is one panel (its rows are then the packed layout) or
/// the stride does not alias in L1, whose 64 sets consecutive rows should spread over: stride in
/// cache lines with gcd(·, 64) ≤ 4. Measured, 1 thread: in place 1.05-1.1× faster on conv im2col
/// rows of 288 and 576 values (gcd 2, 4) and the 784-wide input; packing faster at In = 256
/// (stride 16 lines, gcd 16: rows fall in 4 sets).
template <class S, std::size_t In>
constexpr bool in_place_panels() {
  if constexpr (In % lanes<S> != 0) {
    return false;
  } else {
    if (nblocking<S, In>::panels == 1) return true;
    return std::gcd(In * sizeof(S) / 64, std::size_t{64}) <= 4;
  }
}

/// db (+)= Σ_k dz[k, ·] over outputs [lo, hi) (all by default), vectorized over them, k in order.
/// resume: the sums continue from db (the partial sums of the rows before) and overwrite it.
template <std::size_t Out, class S>
void bias_gradient(const S* dz, std::size_t batch, S* db, bool accumulate, std::size_t lo = 0, std::size_t hi = Out,
                   bool resume = false) {
  using V = vec<S>;
  constexpr std::size_t L = lanes<S>;
  constexpr std::size_t G = 4 * L;  // 4 independent vectors per pass
  if (resume) accumulate = false;
  for (std::size_t o0 = lo; o0 < hi; o0 += G) {
    V acc[4] = {V(S(0)), V(S(0)), V(S(0)), V(S(0))};
    std::size_t n[4];
    for (std::size_t u = 0; u < 4; ++u) {
      const std::size_t c = o0 + u * L;
      n[u] = c < hi ? std::min(L, hi - c) : 0;
      if (resume && n[u]) acc[u] = load_n(db + c, n[u]);
    }
    for (std::size_t k = 0; k < batch; ++k)
#pragma GCC unroll 4
      for (std::size_t u = 0; u < 4; ++u)
        if (n[u]) acc[u] += load_n(dz + k * Out + o0 + u * L, n[u]);
    for (std::size_t u = 0; u < 4; ++u)
      if (n[u]) {
        S* p = db + o0 + u * L;
        store_n(p, accumulate ? load_n(p, n[u]) + acc[u] : acc[u], n[u]);
      }
  }
}

}  // namespace detail

/// Rows [m0, m1) of dW and db only, serially: every panel of x, MR-row tiles over the rows (see
/// dense_backward_weights_panel_rows; m1 ≥ MR, and m1 − m0 ≥ MR unless [m0, m1) is all of a
/// short Out). `panel`: batch·NR elements, 64-byte aligned, for packing x where it is not read in
/// place (weights_rows_panel_size). The threads of a split by rows of W each call this on their
/// own rows: dense_backward_weights below (OwnerRows), a whole-network team step (chain_node).
template <std::size_t In, std::size_t Out, class S>
constexpr std::size_t weights_rows_panel_size(std::size_t batch) {
  using blk = detail::nblocking<S, In>;
  return batch * std::max(blk::NR, blk::NRt);
}
namespace detail {
/// Panels [p0, p1) of dW's columns, rows [m0, m1): x read in place or packed into `panel`.
template <std::size_t In, std::size_t Out, class S>
void weights_panels(const S* dz, const S* x, std::size_t batch, S* dw, bool accumulate, std::size_t m0,
                    std::size_t m1, std::size_t p0, std::size_t p1, [[maybe_unused]] bool in_place, S* panel,
                    bool resume = false) {
  using blk = nblocking<S, In>;
  constexpr int MR = weight_rows<Out>(blk::NV);
  [[maybe_unused]] constexpr int MRt = weight_rows<Out>(blk::NVt > 0 ? blk::NVt : 1);
  // One panel of R-row tiles on V vectors (NR = N columns, `cols` of them real).
  auto one_panel = [&]<int R, int V, std::size_t N>(std::size_t n0, std::size_t cols) {
    if constexpr (in_place_panels<S, In>()) {
      if (in_place)
        return dense_backward_weights_panel_rows<In, Out, S, R, V, N, In>(dz, batch, x + n0, n0, dw, accumulate, m0,
                                                                          m1, resume);
    }
    pack_rows<S, N>(x + n0, In, batch, cols, panel);
    dense_backward_weights_panel_rows<In, Out, S, R, V, N>(dz, batch, panel, n0, dw, accumulate, m0, m1, resume);
  };
  for (std::size_t p = p0; p < p1; ++p) {
    if (p < blk::full_panels) one_panel.template operator()<MR, blk::NV, blk::NR>(p * blk::NR, blk::NR);
    else if constexpr (blk::NVt > 0) one_panel.template operator()<MRt, blk::NVt, blk::NRt>(p * blk::NR, blk::tail_cols);
  }
}
}  // namespace detail

/// resume: dz and x are a block of rows that follows the rows whose partial sums dW and db hold;
/// the sums continue (accumulate is then ignored). Blocks in ascending order give the bits of one
/// call over all their rows (the pipelined team step, graph/pipeline_step.hpp).
template <std::size_t In, std::size_t Out, class S>
void dense_backward_weights_rows(const S* dz, const S* x, std::size_t batch, S* dw, S* db, bool accumulate,
                                 std::size_t m0, std::size_t m1, S* panel, bool resume = false) {
  if (m0 >= m1) return;
  const bool in_place = detail::in_place_panels<S, In>() && reinterpret_cast<std::uintptr_t>(x) % 64 == 0;
  detail::weights_panels<In, Out>(dz, x, batch, dw, accumulate, m0, m1, 0, detail::nblocking<S, In>::panels, in_place,
                                  panel, resume);
  if (db) detail::bias_gradient<Out>(dz, batch, db, accumulate, m0, m1, resume);
}

/// OwnerRows: when the layer's forward splits by panels of output features (dense_forward_split),
/// split dW by the same rows of W instead of by its columns, so each thread writes the gradient
/// rows of the weights it reads in the forward, and reads only its own columns of dz (which the
/// layer above's input gradient wrote on the same thread). Each thread then reads all of x
/// (packing every panel itself where x is not read in place). dense layers pass true.
template <std::size_t In, std::size_t Out, bool OwnerRows = false, class S>
void dense_backward_weights(const S* dz, const S* x, std::size_t batch, S* dw, S* db, bool accumulate,
                            workspace& ws) {
  using namespace detail;
  using blk = nblocking<S, In>;
  if (batch == 0) {
    if (!accumulate) {
      std::fill(dw, dw + In * Out, S(0));
      if (db) std::fill(db, db + Out, S(0));
    }
    return;
  }
  const double flops = 2.0 * double(batch) * double(In) * double(Out);
  // A panel of x, 64-byte aligned with rows of whole vectors, is already in the micro-kernel's
  // layout with row stride In: read in place instead of copied (the copy is one more pass over
  // x per call, batch·In values) where the stride does not alias (in_place_panels).
  const bool in_place = in_place_panels<S, In>() && reinterpret_cast<std::uintptr_t>(x) % 64 == 0;
  if constexpr (OwnerRows) {
    const dense_split owner = dense_forward_split<S>(In, Out, batch, ctnn::num_threads());
    if (owner.by_panels) {
      if (!in_place) ws.reserve(owner.threads, batch * std::max(blk::NR, blk::NRt) * sizeof(S));
      bool done = true;
      parallel_chunks(owner.threads, [&](int c, int cs) {
        if (cs != owner.threads) {  // a smaller team than the forward's: split by columns below
          if (c == 0) done = false;
          return;
        }
        const auto [m0, m1] = owner.rows(Out, c);
        dense_backward_weights_rows<In, Out>(dz, x, batch, dw, db, accumulate, m0, m1,
                                             in_place ? nullptr : ws.buffer<S>(c));
      });
      if (done) return;
    }
  }
  const int threads = threads_for(flops, blk::panels, ctnn::num_threads());
  if (!in_place) ws.reserve(threads, batch * std::max(blk::NR, blk::NRt) * sizeof(S));
  parallel_chunks(threads, [&](int c, int cs) {
    const auto [p0, p1] = chunk_range(blk::panels, c, cs);
    weights_panels<In, Out>(dz, x, batch, dw, accumulate, 0, Out, p0, p1, in_place,
                            in_place ? nullptr : ws.buffer<S>(c));
    if (c == cs - 1 && db) bias_gradient<Out>(dz, batch, db, accumulate);
  });
}

}  // namespace ctnn::kernels
