#pragma once
// pipeline_step<Chain>: the team step of a chain of plain dense layers (graph/chain_node.hpp) on
// two threads, run as a two-stage pipeline. Only where it pays: a training forward, and the
// backward of a chain whose input needs no gradient (the model's root chain), with every layer's
// Out ≥ 4 (a regression head keeps the batch split). A chain nested in a residual block trains
// its forward this way and its backward serially; the results are the same either way.
//
// Thread 0 owns layers [0, split), thread 1 layers [split, n). The batch is cut into
// micro_batches blocks of rows, handed from stage to stage through progress counters.
// - A trainer's step (forward, loss, backward) runs as one fused pass, train_step: stage 1 takes
//   each block through its forwards, the loss's gradient and its backwards before the next
//   block's forward (1F1B), so neither stage waits for a whole pass to drain.
// - A forward and a backward called separately (model::forward, model::backward) run as two
//   pipelined passes, forward and backward: forward, stage 0 then stage 1, block by block;
//   backward, stage 1 then stage 0, last block first.
// Each stage computes its layers' weight gradients (in the fused step stage 0 also computes the
// first of stage 1's: lent_weight_layers), and the optimizer updates each stage's parameters on
// its thread (optim::layer_owners::stage_boundary). Each stage packs its layers' weights once per
// pass, into its own workspace.
//
// Why: every weight, its gradient and optimizer state, and every activation except those at the
// stage boundary (and the chain's output and its gradient) stay in one core's caches, but for
// the lent layer's gradient, which crosses once. The
// batch-split team step moves, per layer, half of W (the other core's update wrote it) and half
// of x and dz (for the weight gradient) between the cores. Measured on the 2-core VM
// (bench/README.md), deep_b128 (32 × 128-wide ReLU layers at batch 128) per step:
// - batch split → separate pipelined passes, slow state (cache-line round trip 490-540 ns):
//   1,720-1,930 → 1,280-1,340 µs; fast state (140-180 ns): 1,290-1,300 → 1,340-1,390 µs;
// - separate passes → fused step: 1,245-1,305 → 1,129-1,183 µs (round trip 600 ns).
// What the separate passes pay is their fill and drain: each stage waits about one block of the
// other stage's work per pass. The fused step waits only for the first block.
//
// Each output is the same fma chain as in the serial kernels: a row's forward and input gradient
// depend on that row only, and each weight gradient is one fma chain per element over the batch
// in row order (one call, or calls over ascending rows that resume the sums). So the results are
// bitwise those of the serial path.
#include <algorithm>
#include <array>
#include <atomic>
#include <cstddef>
#include <type_traits>
#include <utility>

#include <ctnn/core/parallel_for.hpp>
#include <ctnn/graph/run_context.hpp>
#include <ctnn/kernels/dense.hpp>
#include <ctnn/layers/identity.hpp>

namespace ctnn::detail {

template <class Chain>
struct pipeline_step {
  static constexpr std::size_t n = Chain::n;
  template <std::size_t K>
  using child = typename Chain::template child<K>;

  /// Row blocks per pass. Measured in a standalone prototype of this step (32 × 128 at batch 128,
  /// bench/README.md): 4 blocks 1,210-1,270 µs a step; 2 blocks 1,400-1,440 µs (a longer fill and
  /// drain); 8 blocks of 16 rows 1,250-1,360 µs (the GEMMs run less efficiently on so few rows).
  /// Shorter first and last blocks, or different splits for the two passes, measured slower.
  static constexpr std::size_t micro_batches = 4;

  /// Every layer's forward takes pre-packed weights (kernels::dense_forward_packing: Out ≥ 4).
  static constexpr bool capable = n >= 2 && []<std::size_t... K>(std::index_sequence<K...>) {
    return ((child<K>::out >= 4) && ...);
  }(std::make_index_sequence<n>{});

  /// Stage 1's first layer: the split that best balances the stages' GEMM work (forward, weight
  /// gradient and, except for layer 0, input gradient).
  static constexpr std::size_t split = []<std::size_t... K>(std::index_sequence<K...>) {
    const std::array<double, n> work{(double(child<K>::in) * double(child<K>::out) * (K == 0 ? 2.0 : 3.0))...};
    double total = 0;
    for (double w : work) total += w;
    std::size_t best = 1;
    double before = work[0], best_gap = total;
    for (std::size_t k = 1; k < n; ++k) {
      const double gap = before > total - before ? before - (total - before) : (total - before) - before;
      if (gap < best_gap) best_gap = gap, best = k;
      before += work[k];
    }
    return best;
  }(std::make_index_sequence<n>{});

  /// How many of stage 1's first layers stage 0 computes the weight gradients of in the fused step
  /// (train_step): one evens out the stages' ends on deep_b128 (timed inside the step,
  /// bench/README.md); none where stage 1 is a single layer, which would leave it no weight
  /// gradient at all.
  static constexpr std::size_t lent_weight_layers = n - split >= 2 ? 1 : 0;

  /// The first parameter of stage 1: the optimizer updates everything before it on thread 0.
  static constexpr std::size_t stage_boundary = Chain::param_offset[split];

  static constexpr std::pair<std::size_t, std::size_t> stage_layers(std::size_t s) noexcept {
    return s == 0 ? std::pair<std::size_t, std::size_t>{0, split} : std::pair<std::size_t, std::size_t>{split, n};
  }

  /// The first row of block m (multiples of 8; the batch for m = micro_batches).
  static std::size_t block_start(std::size_t batch, std::size_t m) noexcept {
    return m >= micro_batches ? batch : batch * m / micro_batches / 8 * 8;
  }

  // ---- per-layer functions, run from tables: a runtime loop over a stage's layers, layers of one
  // type sharing one instantiation (as the team step's, chain_node.hpp) ----

  template <class S, class Node>
  using forward_packing = kernels::dense_forward_packing<Node::in, Node::out, S>;
  template <class S, class Node>
  using backward_packing = kernels::dense_backward_input_packing<Node::in, Node::out, S>;

  template <class Node, class S>
  static void pack_forward(const S* w, S* packed) {
    forward_packing<S, Node>::pack(w, packed);
  }
  template <class Node, class S>
  static void pack_backward(const S* w, S* packed) {
    backward_packing<S, Node>::pack(w, packed);
  }
  /// `rows` rows of the layer's forward (pointers at the block's first row).
  template <class Node, class S>
  [[gnu::noinline]] static void forward_rows(const S* p, const S* packed, const S* x, S* y, S* state,
                                             std::size_t rows, S* tail) {
    forward_packing<S, Node>::template forward<typename Node::activation>(
        x, rows, packed, p + Node::bias_offset, y, Node::saves_z ? state : nullptr, tail);
  }
  /// `rows` rows of the layer's backward but its weight gradient: its activation derivative
  /// (unless DyIsPre), then dx with PrevAct's derivative fused (when dx is not null).
  template <class Node, bool DyIsPre, class PrevAct, class S>
  [[gnu::noinline]] static void backward_rows(const S* packed, const S* y, const S* state, S* dy, S* dx,
                                              const S* prev_saved, std::size_t rows, S* tail) {
    using act = typename Node::activation;
    if constexpr (!DyIsPre && !std::is_same_v<act, identity>)
      kernels::activation_backward<act>(dy, Node::activation_saved(y, state), dy, rows * Node::out);
    if (dx) backward_packing<S, Node>::template backward<PrevAct>(dy, rows, packed, prev_saved, dx, tail);
  }
  /// The layer's weight and bias gradients over `rows` rows: the whole batch, or (resume) a block
  /// of rows continuing the sums of the blocks before it.
  template <class Node, class S>
  [[gnu::noinline]] static void weights(const S* dy, const S* x, std::size_t rows, S* g, bool accumulate, S* panel,
                                        bool resume) {
    kernels::dense_backward_weights_rows<Node::in, Node::out>(dy, x, rows, g, g + Node::bias_offset, accumulate, 0,
                                                              Node::out, panel, resume);
  }

  template <class S>
  using pack_fn = void (*)(const S*, S*);
  template <class S>
  using forward_fn = void (*)(const S*, const S*, const S*, S*, S*, std::size_t, S*);
  template <class S>
  using backward_fn = void (*)(const S*, const S*, const S*, S*, S*, const S*, std::size_t, S*);
  template <class S>
  using weights_fn = void (*)(const S*, const S*, std::size_t, S*, bool, S*, bool);

  template <class S>
  static constexpr std::array<pack_fn<S>, n> pack_forward_table = []<std::size_t... K>(std::index_sequence<K...>) {
    return std::array<pack_fn<S>, n>{&pack_forward<child<K>, S>...};
  }(std::make_index_sequence<n>{});
  template <class S>
  static constexpr std::array<pack_fn<S>, n> pack_backward_table = []<std::size_t... K>(std::index_sequence<K...>) {
    return std::array<pack_fn<S>, n>{&pack_backward<child<K>, S>...};
  }(std::make_index_sequence<n>{});
  template <class S>
  static constexpr std::array<forward_fn<S>, n> forward_table = []<std::size_t... K>(std::index_sequence<K...>) {
    return std::array<forward_fn<S>, n>{&forward_rows<child<K>, S>...};
  }(std::make_index_sequence<n>{});
  template <class S>
  static constexpr std::array<weights_fn<S>, n> weights_table = []<std::size_t... K>(std::index_sequence<K...>) {
    return std::array<weights_fn<S>, n>{&weights<child<K>, S>...};
  }(std::make_index_sequence<n>{});
  /// Layer K's dy is already ∂L/∂z when layer K+1 fused its activation (for the last layer:
  /// when the chain's caller says so); its dx takes layer K−1's activation derivative when fused.
  template <bool DyIsPre, class S, std::size_t K>
  static constexpr backward_fn<S> backward_entry() {
    constexpr bool dy_is_pre = (K + 1 == n) ? DyIsPre : Chain::template fuses_previous<K + 1>();
    if constexpr (Chain::template fuses_previous<K>())
      return &backward_rows<child<K>, dy_is_pre, typename child<K - 1>::activation, S>;
    else
      return &backward_rows<child<K>, dy_is_pre, identity, S>;
  }
  template <bool DyIsPre, class S>
  static constexpr std::array<backward_fn<S>, n> backward_table = []<std::size_t... K>(std::index_sequence<K...>) {
    return std::array<backward_fn<S>, n>{backward_entry<DyIsPre, S, K>()...};
  }(std::make_index_sequence<n>{});

  // ---- each stage's workspace: its layers' packed weights, a row-tail copy, a weight-gradient
  // panel ----

  /// Packed elements of layer k (forward: Wᵀ panels; backward: W panels, none for layer 0) and
  /// each layer's offset in its stage's buffer: the forward panels, then the backward ones (the
  /// fused step, train_step, holds both at once).
  template <class S>
  struct packing_layout {
    std::array<std::size_t, n> forward_offset{}, backward_offset{};
    std::array<std::size_t, 2> packed{};  ///< elements per stage (both passes)
    std::size_t tail = 0;                 ///< row-tail elements (the largest of any layer)
    std::size_t panel_per_row = 0;        ///< weight-gradient panel elements per batch row
  };
  template <class S>
  static constexpr packing_layout<S> layout = []<std::size_t... K>(std::index_sequence<K...>) {
    packing_layout<S> l;
    const std::array<std::size_t, n> fwd{forward_packing<S, child<K>>::packed_size...};
    const std::array<std::size_t, n> bwd{(K == 0 ? 0 : backward_packing<S, child<K>>::packed_size)...};
    const std::array<std::size_t, n> tails{
        std::max(forward_packing<S, child<K>>::tail_size, backward_packing<S, child<K>>::tail_size)...};
    const std::array<std::size_t, n> panels{kernels::weights_rows_panel_size<child<K>::in, child<K>::out, S>(1)...};
    for (std::size_t s = 0; s < 2; ++s) {
      std::size_t f = 0, b = 0;
      for (std::size_t k = stage_layers(s).first; k < stage_layers(s).second; ++k) {
        l.forward_offset[k] = f;
        f += fwd[k];
      }
      for (std::size_t k = stage_layers(s).first; k < stage_layers(s).second; ++k) {
        l.backward_offset[k] = f + b;
        b += bwd[k];
      }
      l.packed[s] = f + b;
    }
    for (std::size_t k = 0; k < n; ++k) {
      l.tail = std::max(l.tail, (tails[k] + 15) / 16 * 16);
      l.panel_per_row = std::max(l.panel_per_row, panels[k]);
    }
    return l;
  }(std::make_index_sequence<n>{});

  /// Stage s's buffer (64-byte aligned): packed weights, then the tail, then (backward) the panel.
  template <class S>
  static S* stage_buffer(kernels::workspace& ws, std::size_t s, std::size_t panel_rows) {
    constexpr const packing_layout<S>& l = layout<S>;
    ws.reserve(1, (l.packed[s] + l.tail + panel_rows * l.panel_per_row) * sizeof(S));
    return ws.template buffer<S>(0);
  }

  /// How many blocks a stage has finished in the current pass (one cache line each).
  struct alignas(64) progress {
    std::atomic<std::size_t> blocks{0};
  };

  // ---- one block of rows through one stage ----

  /// Rows [r0, r1) through stage s's layers' forwards (its forward panels packed in `packed`).
  template <class S>
  static void forward_block(std::size_t s, const S* p, const S* packed, S* tail, const S* x, S* y, S* state,
                            std::size_t batch, std::size_t r0, std::size_t r1) {
    constexpr const packing_layout<S>& l = layout<S>;
    const auto [k0, k1] = stage_layers(s);
    for (std::size_t k = k0; k < k1; ++k) {
      const S* in = k == 0 ? x : state + Chain::layout.out_offset[k - 1] * batch;
      S* out = k + 1 == n ? y : state + Chain::layout.out_offset[k] * batch;
      S* internal = state + Chain::layout.internal_offset[k] * batch;
      forward_table<S>[k](p + Chain::param_offset[k], packed + l.forward_offset[k], in + r0 * Chain::ins[k],
                          out + r0 * Chain::outs[k], internal + r0 * Chain::internals[k], r1 - r0, tail);
    }
  }

  /// Where a backward reads and writes: dy at the chain's output, one gradient buffer per layer
  /// output (scratch: Chain::grad_buffers, kept whole for the weight gradients).
  template <class S>
  struct backward_buffers {
    const S *x, *y, *state;
    S *dy, *scratch;
    std::size_t batch;
    S* grad_of_output(std::size_t k) const { return k + 1 == n ? dy : scratch + k * Chain::max_width * batch; }
    const S* input_of(std::size_t k) const { return k == 0 ? x : state + Chain::layout.out_offset[k - 1] * batch; }
  };

  /// Rows [r0, r1) through stage s's layers' backwards but their weight gradients, last layer
  /// first: activation derivatives and input gradients (its backward panels packed in `packed`).
  template <bool DyIsPre, class S>
  static void backward_block(std::size_t s, const backward_buffers<S>& b, const S* packed, S* tail, std::size_t r0,
                             std::size_t r1) {
    constexpr const packing_layout<S>& l = layout<S>;
    const auto [k0, k1] = stage_layers(s);
    for (std::size_t k = k1; k-- > k0;) {
      const S* out = k + 1 == n ? b.y : b.state + Chain::layout.out_offset[k] * b.batch;
      const S* internal = b.state + Chain::layout.internal_offset[k] * b.batch;
      S* dx = k == 0 ? nullptr : b.grad_of_output(k - 1) + r0 * Chain::ins[k];
      // What layer k−1's activation derivative reads: its output or its saved z.
      const S* saved = k == 0                  ? nullptr
                       : Chain::saves_z[k - 1] ? b.state + Chain::layout.internal_offset[k - 1] * b.batch
                                               : b.state + Chain::layout.out_offset[k - 1] * b.batch;
      backward_table<DyIsPre, S>[k](packed + l.backward_offset[k], out + r0 * Chain::outs[k],
                                    internal + r0 * Chain::internals[k], b.grad_of_output(k) + r0 * Chain::outs[k],
                                    dx, saved ? saved + r0 * Chain::ins[k] : nullptr, r1 - r0, tail);
    }
  }

  /// Layers [k0, k1)'s weight gradients over the whole batch, last layer first; or over rows
  /// [r0, r1), resuming the sums of the rows before r0 (when r0 > 0).
  template <class S>
  static void stage_weights(std::size_t k0, std::size_t k1, const backward_buffers<S>& b, S* g, bool accumulate,
                            S* panel, std::size_t r0 = 0, std::size_t r1 = std::size_t(-1)) {
    r1 = std::min(r1, b.batch);
    for (std::size_t k = k1; k-- > k0;)
      weights_table<S>[k](b.grad_of_output(k) + r0 * Chain::outs[k], b.input_of(k) + r0 * Chain::ins[k], r1 - r0,
                          g + Chain::param_offset[k], accumulate, panel, r0 > 0);
  }

  template <class S>
  static void pack_stage(std::size_t s, const S* p, S* packed, bool forward_panels, bool backward_panels) {
    constexpr const packing_layout<S>& l = layout<S>;
    const auto [k0, k1] = stage_layers(s);
    for (std::size_t k = k0; k < k1; ++k) {
      if (forward_panels) pack_forward_table<S>[k](p + Chain::param_offset[k], packed + l.forward_offset[k]);
      if (backward_panels && k > 0)
        pack_backward_table<S>[k](p + Chain::param_offset[k], packed + l.backward_offset[k]);
    }
  }

  // ---- the passes ----

  template <class S>
  static void forward(const run_context<S>& ctx, const S* p, const S* x, S* y, S* state, std::size_t batch) {
    constexpr const packing_layout<S>& l = layout<S>;
    ctx.ws.reserve_nested(2);
    progress done[2];
    parallel_chunks(2, [&](int t, int ts) {
      auto run = [&](std::size_t s) {
        S* packed = stage_buffer<S>(Chain::team_workspace(ctx.ws, t), s, 0);
        S* tail = packed + l.packed[s];
        pack_stage(s, p, packed, true, false);
        for (std::size_t m = 0; m < micro_batches; ++m) {
          if (s == 1) spin_until([&] { return done[0].blocks.load(std::memory_order_acquire) > m; });
          forward_block(s, p, packed, tail, x, y, state, batch, block_start(batch, m), block_start(batch, m + 1));
          done[s].blocks.store(m + 1, std::memory_order_release);
        }
      };
      if (ts == 2 && chunks_run_concurrently) {
        run(std::size_t(t));
      } else if (t == 0) {  // a smaller team than asked for: one thread runs both stages in turn
        run(0);
        run(1);
      }
    });
  }

  /// The backward of the whole chain but its input gradient (the network's input needs none).
  /// dy: the gradient at the chain's output; scratch: one gradient buffer per layer output
  /// (Chain::grad_buffers), kept whole for the weight gradients at the end.
  template <bool DyIsPre, class S>
  static void backward(const run_context<S>& ctx, const S* p, S* g, const S* x, const S* y, const S* state, S* dy,
                       S* scratch, std::size_t batch, bool accumulate) {
    constexpr const packing_layout<S>& l = layout<S>;
    const backward_buffers<S> b{x, y, state, dy, scratch, batch};
    ctx.ws.reserve_nested(2);
    progress done[2];
    parallel_chunks(2, [&](int t, int ts) {
      auto run = [&](std::size_t s) {
        S* packed = stage_buffer<S>(Chain::team_workspace(ctx.ws, t), s, batch);
        S* tail = packed + l.packed[s];
        S* panel = tail + l.tail;
        pack_stage(s, p, packed, false, true);
        for (std::size_t j = 0; j < micro_batches; ++j) {
          const std::size_t m = micro_batches - 1 - j;
          if (s == 0) spin_until([&] { return done[1].blocks.load(std::memory_order_acquire) > j; });
          backward_block<DyIsPre>(s, b, packed, tail, block_start(batch, m), block_start(batch, m + 1));
          done[s].blocks.store(j + 1, std::memory_order_release);
        }
        stage_weights(stage_layers(s).first, stage_layers(s).second, b, g, accumulate, panel);
      };
      if (ts == 2 && chunks_run_concurrently) {
        run(std::size_t(t));
      } else if (t == 0) {
        run(1);
        run(0);
      }
    });
  }

  /// A training step but the update, fused: the forward, the loss's gradient and the backward of
  /// the whole chain but its input gradient, writing the gradient arena (never accumulating).
  /// loss.rows(r0, r1) writes rows [r0, r1) of dy from those rows of y, for ascending blocks of
  /// rows that end at the batch; then loss.finish() (the loss's value from all of y, while stage 0
  /// finishes its backward). Both run on stage 1's thread.
  ///
  /// Order, one forward then one backward (1F1B): stage 1 takes block m through its forwards, the
  /// loss and its backwards before block m + 1's forward, so stage 0 starts its backward of block
  /// 0 as soon as its own forwards are done. With separate passes stage 0 sat idle for stage 1's
  /// last forward block and first backward block, and stage 1 for stage 0's last backward block.
  /// Stage 0 computes its weight gradients over the rows so far whenever stage 1 has not yet
  /// published the next block, resuming the sums (ascending rows: the bits of one call over the
  /// batch, however the rows were grouped), and at the end also the weight gradient of stage 1's
  /// first layer (lent_weight_layers), whose inputs it wrote. Stage 1 computes its own over the
  /// whole batch at the end. Each stage holds both passes' packed panels; stage 1 packs them while
  /// it waits for block 0.
  ///
  /// Measured (deep_b128 at 2 threads, interleaved, 4 rounds; bench/README.md): 1,245-1,305 µs
  /// for the separate pipelined passes, 1,129-1,183 µs fused. Timed inside the step, both stages
  /// are busy from start to end but for stage 1's wait for block 0, and end within about 3 % of
  /// each other; 2 or 3 lent layers, or a 16-row first block, measured the same within noise.
  template <bool DyIsPre, class S, class LossBlocks>
  static void train_step(const run_context<S>& ctx, const S* p, S* g, const S* x, S* y, S* state, S* dy, S* scratch,
                         std::size_t batch, LossBlocks& loss) {
    constexpr const packing_layout<S>& l = layout<S>;
    const backward_buffers<S> b{x, y, state, dy, scratch, batch};
    ctx.ws.reserve_nested(2);
    progress forwarded, backpropagated;  // blocks stage 0 has forwarded, stage 1 has backpropagated
    parallel_chunks(2, [&](int t, int ts) {
      const bool concurrent = ts == 2 && chunks_run_concurrently;
      auto buffer = [&](std::size_t s) { return stage_buffer<S>(Chain::team_workspace(ctx.ws, t), s, batch); };
      auto stage0_forward = [&] {
        S* packed = buffer(0);
        pack_stage(0, p, packed, true, false);
        for (std::size_t m = 0; m < micro_batches; ++m) {
          forward_block(0, p, packed, packed + l.packed[0], x, y, state, batch, block_start(batch, m),
                        block_start(batch, m + 1));
          forwarded.blocks.store(m + 1, std::memory_order_release);
        }
      };
      auto stage0_backward = [&] {
        S* packed = buffer(0);
        pack_stage(0, p, packed, false, true);
        std::size_t weighted = 0;  // rows whose weight gradients are done
        for (std::size_t m = 0; m < micro_batches; ++m) {
          spin_until([&] { return backpropagated.blocks.load(std::memory_order_acquire) > m; });
          backward_block<DyIsPre>(0, b, packed, packed + l.packed[0], block_start(batch, m), block_start(batch, m + 1));
          // The weight gradients of the rows so far, where the next block is not there yet (else
          // later, over more rows: fewer passes over the gradient arena).
          if (m + 1 == micro_batches || backpropagated.blocks.load(std::memory_order_acquire) <= m + 1) {
            const std::size_t r1 = block_start(batch, m + 1);
            stage_weights(0, split, b, g, false, packed + l.packed[0] + l.tail, weighted, r1);
            weighted = r1;
          }
        }
        stage_weights(split, split + lent_weight_layers, b, g, false, packed + l.packed[0] + l.tail);
      };
      auto stage1 = [&] {
        S* packed = buffer(1);
        S* tail = packed + l.packed[1];
        pack_stage(1, p, packed, true, true);
        for (std::size_t m = 0; m < micro_batches; ++m) {
          const std::size_t r0 = block_start(batch, m), r1 = block_start(batch, m + 1);
          spin_until([&] { return forwarded.blocks.load(std::memory_order_acquire) > m; });
          forward_block(1, p, packed, tail, x, y, state, batch, r0, r1);
          loss.rows(r0, r1);
          backward_block<DyIsPre>(1, b, packed, tail, r0, r1);
          backpropagated.blocks.store(m + 1, std::memory_order_release);
        }
        loss.finish();
        stage_weights(split + lent_weight_layers, n, b, g, false, tail + l.tail);
      };
      if (concurrent) {
        if (t == 0) {
          stage0_forward();
          stage0_backward();
        } else {
          stage1();
        }
      } else if (t == 0) {  // a smaller team than asked for: one thread runs the stages in turn
        stage0_forward();
        stage1();
        stage0_backward();
      }
    });
  }
};

}  // namespace ctnn::detail
