#pragma once
// chain_node<In, Nodes...>: bound layers applied in order: the body of a sequential and of a
// residual block. It lays out, at compile time, where each child's parameters live in the arena
// and its buffers (running statistics) in the buffer arena,
// and where its forward state lives in the activation workspace (offsets per sample; a buffer's
// address is offset × batch), and runs the children's forward in order and backward in reverse.
//
// Backward fusion: when child k is a dense layer and child k−1 is a dense layer with an
// activation, child k's input-gradient kernel multiplies by that activation's derivative, and
// child k−1 is told its incoming gradient is already the pre-activation gradient (DyIsPre).
//
// Batch-norm folding (evaluation only): when child k is a dense layer without activation and
// child k+1 a batch_norm, an evaluation forward runs child k's GEMM once with the folded weights
// W'_j = a_j W_j, b'_j = a_j (b_j − μ_j) + β_j (a = γ/√(running_var + ε); norm/batch_norm.hpp)
// into child k+1's output, and skips child k+1; when child k+2 is an activation, the same
// kernel's epilogue applies it too and child k+2 is skipped. W', b' live in this chain's own
// part of the buffer arena (unnamed, after the children's buffers): no allocation per call.
// W' is recomputed on every call, an O(In·Out) pass, while the passes it removes are
// O(batch·Out): a layer folds only when batch ≥ In (measured on 784-256-BN-relu-256-BN-relu-10,
// folding every layer: 0.92× at batch 64, 1.01× at 256, 1.1× at 1024). So the last bits of an
// output can depend on whether the batch reached In.
// Per-sample norm fusion (training and evaluation): when child k is a dense layer without
// activation and child k+1 a layer_norm, group_norm or rms_norm, child k's forward runs
// kernels::dense_forward_normalized, which writes child k's output, child k+1's output and state
// and, when child k+2 is an activation, its output too; children k+1 and k+2 are skipped. The
// bits are those of the unfused forward (the same fma chains, the same row function), so the
// backward is unchanged. ctnn::fuse_row_norm = false turns it off.
// What a folded forward does not compute: child k's own output (visit_outputs shows what an
// earlier forward left there) and the norm's saved x̂; an evaluation-mode backward recomputes
// both first. Training is unchanged. ctnn::fold_batch_norm = false turns folding off (tests and
// benchmarks compare the two).
// Team step: a chain of plain dense layers each too small to split over the threads on its own
// (below the kernels' serial threshold; the 32 × 128-wide net at batch 128: 4.2 MFLOP a layer)
// runs its forward and backward as one parallel region each instead of serially. The forward
// splits the batch rows (no synchronization: a row's outputs depend only on that row); the
// backward, per layer, applies the activation derivative to the thread's rows, waits for every
// thread (dz complete), computes the weight gradient of the thread's rows of W over the whole
// batch, and the input gradient of its batch rows. Each output is the same fma chain as in the
// serial kernels, so the results are bitwise those of the serial path; the optimizer then
// updates each thread's rows of W on that thread (optim/elementwise.hpp, layer_owners.team).
// On two threads a training step runs as a two-stage pipeline instead (graph/pipeline_step.hpp:
// each thread owns half of the layers), which keeps the weights and most activations in one
// core's caches; the batch split above stays for evaluation and for larger teams.
#include <algorithm>
#include <array>
#include <cstddef>
#include <tuple>
#include <type_traits>
#include <utility>
#include <ctnn/core/parallel_for.hpp>
#include <ctnn/graph/pipeline_step.hpp>
#include <ctnn/graph/run_context.hpp>
#include <ctnn/graph/slot.hpp>
#include <ctnn/kernels/dense.hpp>
#include <ctnn/layers/identity.hpp>

namespace ctnn {
/// Evaluation-mode batch-norm folding (see above); set it before running, not during.
inline bool fold_batch_norm = true;
/// Per-sample norms as the epilogue of the dense layer before them (see above); set it before
/// running, not during.
inline bool fuse_row_norm = true;
/// Team step (see above): the least forward GEMM work per layer, on average, for which it pays.
/// Measured on the 2-core VM: a barrier costs 0.5-3 µs, a 128×128 layer at batch 128 (4.2 MFLOP)
/// ~18 µs serial; a 64-wide net at batch 32 (0.26 MFLOP a layer) is faster serial.
inline constexpr double team_min_layer_flops = 2.0e6;
}  // namespace ctnn

namespace ctnn::detail {

template <std::size_t In, std::size_t Out, class Act, class Init, class Norm, std::size_t Modules>
struct dense_node;
template <std::size_t Width, class Act>
struct activation_node;

/// A plain dense node without activation (one module), and the norm node after it.
template <class Node>
struct is_foldable_dense : std::false_type {};
template <std::size_t I, std::size_t O, class Init, class Norm>
struct is_foldable_dense<dense_node<I, O, identity, Init, Norm, 1>> : std::true_type {};
template <class Node>
struct activation_of {
  using type = void;
};
template <std::size_t W, class A>
struct activation_of<activation_node<W, A>> {
  using type = A;
};
/// A plain dense node (any fused activation): what a whole-network team step runs (see
/// chain_node::team_step). The reparameterized dense layers (weight_norm, spectral_norm) are
/// other types.
template <class Node>
struct is_plain_dense : std::false_type {};
template <std::size_t I, std::size_t O, class A, class Init, class Norm, std::size_t M>
struct is_plain_dense<dense_node<I, O, A, Init, Norm, M>> : std::true_type {};

/// Child K of the tuple folds the batch_norm K+1 into its weights in evaluation.
template <class Tuple, std::size_t K>
constexpr bool bn_fold_at() {
  if constexpr (K >= std::tuple_size_v<Tuple> || K + 1 >= std::tuple_size_v<Tuple>) return false;  // K = −1 wraps
  else return is_foldable_dense<std::tuple_element_t<K, Tuple>>::value &&
              requires { std::tuple_element_t<K + 1, Tuple>::folds_into_dense; };
}
/// ... and the activation K+2 into the same kernel.
template <class Tuple, std::size_t K>
constexpr bool bn_fold_activation_at() {
  if constexpr (!bn_fold_at<Tuple, K>() || K + 2 >= std::tuple_size_v<Tuple>) return false;
  else return !std::is_void_v<typename activation_of<std::tuple_element_t<K + 2, Tuple>>::type>;
}
/// Child K of the tuple is a dense layer whose per-sample norm K+1 (layer_norm, group_norm,
/// rms_norm) runs as its GEMM's epilogue (training and evaluation alike).
template <class Tuple, std::size_t K>
constexpr bool norm_fuse_at() {
  if constexpr (K >= std::tuple_size_v<Tuple> || K + 1 >= std::tuple_size_v<Tuple>) return false;
  else return is_foldable_dense<std::tuple_element_t<K, Tuple>>::value &&
              requires { std::tuple_element_t<K + 1, Tuple>::fuses_into_dense; };
}
/// ... and the activation K+2 too.
template <class Tuple, std::size_t K>
constexpr bool norm_fuse_activation_at() {
  if constexpr (!norm_fuse_at<Tuple, K>() || K + 2 >= std::tuple_size_v<Tuple>) return false;
  else return !std::is_void_v<typename activation_of<std::tuple_element_t<K + 2, Tuple>>::type>;
}
/// Buffer elements for W', b' of each child that folds.
template <class Tuple, std::size_t... K>
constexpr std::array<std::size_t, sizeof...(K)> bn_fold_sizes(std::index_sequence<K...>) {
  auto size = []<std::size_t J>(std::integral_constant<std::size_t, J>) -> std::size_t {
    if constexpr (bn_fold_at<Tuple, J>()) {
      using d = std::tuple_element_t<J, Tuple>;
      return round_up_to_slot(d::in * d::out) + round_up_to_slot(d::out);
    } else {
      return 0;
    }
  };
  return {size(std::integral_constant<std::size_t, K>{})...};
}

/// The default backward observer: observes nothing, costs nothing.
struct no_observer {
  template <class... Args>
  void operator()(Args&&...) const noexcept {}
};

template <std::size_t N>
constexpr std::array<std::size_t, N + 1> prefix_sums(const std::array<std::size_t, N>& a) {
  std::array<std::size_t, N + 1> s{};
  for (std::size_t i = 0; i < N; ++i) s[i + 1] = s[i] + a[i];
  return s;
}

template <std::size_t In, class... Nodes>
struct chain_node {
  static_assert(sizeof...(Nodes) > 0, "ctnn: a sequential or residual block needs at least one layer");
  using children = std::tuple<Nodes...>;
  template <std::size_t K> using child = std::tuple_element_t<K, children>;
  static constexpr std::size_t n = sizeof...(Nodes);

  static constexpr std::array<std::size_t, n> outs{Nodes::out...};
  static constexpr bool is_dense = false;
  static constexpr std::size_t in = In, out = outs[n - 1];
  static constexpr auto param_offset = prefix_sums<n>({Nodes::params...});
  static constexpr std::size_t params = param_offset[n];
  static constexpr auto module_start = prefix_sums<n>({Nodes::modules...});
  static constexpr std::size_t modules = module_start[n];
  static constexpr auto slot_start = prefix_sums<n>({Nodes::slot_count...});
  static constexpr std::size_t slot_count = slot_start[n];
  static constexpr auto buffer_offset = prefix_sums<n>({Nodes::buffers...});
  /// Folded W', b' (evaluation) of child k at buffer_offset[n] + fold_offset[k].
  static constexpr auto fold_offset = prefix_sums<n>(bn_fold_sizes<children>(std::make_index_sequence<n>{}));
  static constexpr std::size_t buffers = buffer_offset[n] + fold_offset[n];
  static constexpr auto buffer_slot_start = prefix_sums<n>({Nodes::buffer_slot_count...});
  static constexpr std::size_t buffer_slot_count = buffer_slot_start[n];
  static constexpr std::size_t flops_per_sample = (Nodes::flops_per_sample + ... + 0);

  // Per-sample forward state: child k's output (except the last child's, which is the chain's
  // own output y), then child k's internal state.
  struct state_layout {
    std::array<std::size_t, n> out_offset{}, internal_offset{};
    std::size_t total = 0;
  };
  static consteval state_layout make_state_layout() {
    state_layout l;
    const std::array<std::size_t, n> internals{Nodes::internal...};
    for (std::size_t k = 0; k < n; ++k) {
      l.out_offset[k] = l.total;
      if (k + 1 < n) l.total += outs[k];
      l.internal_offset[k] = l.total;
      l.total += internals[k];
    }
    return l;
  }
  static constexpr state_layout layout = make_state_layout();
  static constexpr std::size_t internal = layout.total;

  // Backward scratch: two ping-pong gradient buffers of the widest child output, then the
  // children's own scratch. A chain that may run as a team step has one buffer per child output
  // instead (team_backward): rewriting, every layer, lines the other core read for its weight
  // gradient one layer before costs a cross-core invalidation each (on the 2-core VM ~7 GB/s).
  static constexpr std::size_t max_width = std::max({In, Nodes::out...});
  static constexpr std::size_t child_scratch = std::max({std::size_t{0}, Nodes::grad_scratch...});
  static constexpr bool team_capable = (is_plain_dense<Nodes>::value && ...);
  static constexpr std::size_t grad_buffers = team_capable ? std::max<std::size_t>(2, n - 1) : 2;
  static constexpr std::size_t grad_scratch = grad_buffers * max_width + child_scratch;

  static consteval std::array<slot_desc, slot_count> slots() {
    std::array<slot_desc, slot_count> all{};
    std::size_t next = 0;
    auto append = [&]<std::size_t K>(std::integral_constant<std::size_t, K>) {
      for (slot_desc d : child<K>::slots()) {
        d.offset += param_offset[K];
        d.prepend(module_start[K]);
        all[next++] = d;
      }
    };
    [&]<std::size_t... K>(std::index_sequence<K...>) {
      (append(std::integral_constant<std::size_t, K>{}), ...);
    }(std::make_index_sequence<n>{});
    return all;
  }

  static consteval std::array<slot_desc, buffer_slot_count> buffer_slots() {
    std::array<slot_desc, buffer_slot_count> all{};
    std::size_t next = 0;
    auto append = [&]<std::size_t K>(std::integral_constant<std::size_t, K>) {
      for (slot_desc d : child<K>::buffer_slots()) {
        d.offset += buffer_offset[K];
        d.prepend(module_start[K]);
        all[next++] = d;
      }
    };
    [&]<std::size_t... K>(std::index_sequence<K...>) {
      (append(std::integral_constant<std::size_t, K>{}), ...);
    }(std::make_index_sequence<n>{});
    return all;
  }

  template <class S>
  static void init(S* p, std::uint64_t seed, std::size_t slot_base) {
    [&]<std::size_t... K>(std::index_sequence<K...>) {
      (child<K>::init(p + param_offset[K], seed, slot_base + slot_start[K]), ...);
    }(std::make_index_sequence<n>{});
  }

  /// Child k's output buffer (the chain's y for the last child).
  template <std::size_t K, class S>
  static S* child_output(S* y, S* state, std::size_t batch) {
    if constexpr (K + 1 == n) return y;
    else return state + layout.out_offset[K] * batch;
  }
  template <std::size_t K, class S>
  static S* child_input(S* x, S* y, S* state, std::size_t batch) {
    if constexpr (K == 0) return x;
    else return child_output<K - 1>(y, state, batch);
  }
  template <std::size_t K, class S>
  static S* child_state(S* state, std::size_t batch) {
    return state + layout.internal_offset[K] * batch;
  }

  /// Calls visit(module_index, description, output pointer, width) for each child, in order; with
  /// LayersOnly, for each child that is a layer: the image layout transposes (modules = 0: no
  /// PyTorch module, and the module index they carry is the next layer's) are skipped, as by
  /// backward's observer.
  template <bool LayersOnly = false, class S, class Visit>
  static void visit_outputs(S* y, S* state, std::size_t batch, Visit&& visit) {
    [&]<std::size_t... K>(std::index_sequence<K...>) {
      auto one = [&]<std::size_t J>(std::integral_constant<std::size_t, J>) {
        if constexpr (!LayersOnly || child<J>::modules > 0)
          visit(module_start[J], child<J>::describe(), child_output<J>(y, state, batch), child<J>::out);
      };
      (one(std::integral_constant<std::size_t, K>{}), ...);
    }(std::make_index_sequence<n>{});
  }

  // ---- team step (see the file comment) ----

  /// Whether a forward or backward of `batch` rows on `threads` threads runs as a team step: every
  /// child a plain dense layer that would run serially (kernels::detail::dense_forward_split), at
  /// least 16 rows per thread, and team_min_layer_flops of forward work per layer.
  template <class S>
  static constexpr bool team_step(std::size_t batch, int threads) noexcept {
    if constexpr (!team_capable) {
      return false;
    } else {
      if (threads <= 1 || batch < 16 * std::size_t(threads)) return false;
      if (double(batch) * double(flops_per_sample) < team_min_layer_flops * double(n)) return false;
      return ((kernels::detail::dense_forward_split<S>(Nodes::in, Nodes::out, batch, threads).threads == 1) && ...);
    }
  }
  /// Whether a team step of `batch` rows on `threads` threads trains as a two-stage pipeline
  /// (graph/pipeline_step.hpp): on two threads, when every layer has at least 4 outputs.
  template <class S>
  static constexpr bool pipelined(std::size_t batch, int threads) noexcept {
    if constexpr (!team_capable) {
      return false;
    } else if constexpr (!pipeline_step<chain_node>::capable) {
      return false;
    } else {
      return threads == 2 && team_step<S>(batch, threads);
    }
  }
  /// Where the optimizer's second thread starts after a pipelined step of `batch` rows on
  /// `threads` threads (optim::layer_owners::stage_boundary): the first parameter of the second
  /// stage; 0 when the step is not pipelined.
  template <class S>
  static constexpr std::size_t pipeline_stage_boundary(std::size_t batch, int threads) noexcept {
    if constexpr (!team_capable) {
      return 0;
    } else {
      return pipelined<S>(batch, threads) ? pipeline_step<chain_node>::stage_boundary : 0;
    }
  }
  /// Thread t's batch rows in a team step: blocks of 8.
  static std::pair<std::size_t, std::size_t> team_rows(std::size_t batch, int t, int ts) noexcept {
    const auto [lo, hi] = kernels::detail::chunk_range((batch + 7) / 8, t, ts);
    return {std::min(batch, lo * 8), std::min(batch, hi * 8)};
  }

  /// Thread t's workspace in a team step: thread 0 uses the model's own (so that it is sized for
  /// the serial kernels too, and a later serial step at a smaller batch allocates nothing), the
  /// others nested ones.
  static kernels::workspace& team_workspace(kernels::workspace& ws, int t) noexcept {
    return t == 0 ? ws : ws.nested(t);
  }

  // The layers of a team step run from tables of per-layer functions, a runtime loop over them:
  // layers of one type share one instantiation, and the parallel region's body stays one loop
  // (a fold over the layers inlined 2 × 50 calls into it: +13 % compile time on a 50-layer net).
  static constexpr std::array<std::size_t, n> ins = [] {
    std::array<std::size_t, n> a{};
    for (std::size_t k = 0; k < n; ++k) a[k] = k == 0 ? In : outs[k - 1];
    return a;
  }();
  static constexpr std::array<std::size_t, n> internals{Nodes::internal...};
  /// Child k's activation derivative reads its saved z (else its output y).
  static constexpr std::array<bool, n> saves_z = [] {
    if constexpr (team_capable) return std::array<bool, n>{Nodes::saves_z...};
    else return std::array<bool, n>{};
  }();
  template <class S>
  using team_forward_fn = void (*)(const run_context<S>&, const S*, const S*, S*, S*, std::size_t);
  template <class S>
  static constexpr std::array<team_forward_fn<S>, n> team_forward_table{&Nodes::template forward<S>...};

  template <class S>
  using team_backward_fn = void (*)(const S*, S*, const S*, const S*, const S*, S*, S*, const S*, std::size_t,
                                    std::size_t, std::size_t, int, int, bool, kernels::workspace&);
  /// Child K's layer function: its dy is already ∂L/∂z when the next layer fused its activation
  /// (or, for the last, when the chain's caller says so); its dx takes the previous layer's
  /// activation derivative when it has one.
  template <bool DyIsPre, class S, std::size_t K>
  static constexpr team_backward_fn<S> team_backward_entry() {
    constexpr bool dy_is_pre = (K + 1 == n) ? DyIsPre : fuses_previous<K + 1>();
    if constexpr (fuses_previous<K>())
      return &team_layer_backward<child<K>, dy_is_pre, typename child<K - 1>::activation, S>;
    else
      return &team_layer_backward<child<K>, dy_is_pre, identity, S>;
  }
  template <bool DyIsPre, class S>
  static constexpr std::array<team_backward_fn<S>, n> team_backward_table = []<std::size_t... K>(
                                                                               std::index_sequence<K...>) {
    return std::array<team_backward_fn<S>, n>{team_backward_entry<DyIsPre, S, K>()...};
  }(std::make_index_sequence<n>{});

  template <class S>
  static void team_forward(const run_context<S>& ctx, const S* p, const S* x, S* y, S* state, std::size_t batch,
                           int threads) {
    ctx.ws.reserve_nested(threads);
    parallel_chunks(threads, [&](int t, int ts) {
      const auto [r0, r1] = team_rows(batch, t, ts);
      if (r0 >= r1) return;
      const run_context<S> own{team_workspace(ctx.ws, t), ctx.phase, ctx.buffers, ctx.seed, ctx.draws};
      for (std::size_t k = 0; k < n; ++k) {
        const S* in = k == 0 ? x : state + layout.out_offset[k - 1] * batch;
        S* out = k + 1 == n ? y : state + layout.out_offset[k] * batch;
        team_forward_table<S>[k](own, p + param_offset[k], in + r0 * ins[k], out + r0 * outs[k],
                                 state + layout.internal_offset[k] * batch + r0 * internals[k], r1 - r0);
      }
    });
  }

  /// One dense layer of a team backward, on thread t of ts (rows [r0, r1) of the batch): the
  /// activation derivative on its rows of dy (unless DyIsPre), a barrier (dy complete), the
  /// weight gradient of its rows of W over the whole batch, then dx on its rows (when dx is not
  /// null; PrevAct's derivative at prev_saved fused). All pointers are the whole batch's. A
  /// function of its own, not inlined, so the layers of one type share one instantiation (a
  /// 50-layer repeat<> net compiles it once).
  template <class Node, bool DyIsPre, class PrevAct, class S>
  [[gnu::noinline]] static void team_layer_backward(const S* p, S* g, const S* x, const S* y, const S* state, S* dy,
                                                    S* dx, const S* prev_saved, std::size_t batch, std::size_t r0,
                                                    std::size_t r1, int t, int ts, bool accumulate,
                                                    kernels::workspace& ws) {
    using act = typename Node::activation;
    if constexpr (!DyIsPre && !std::is_same_v<act, identity>)
      if (r0 < r1)
        kernels::activation_backward<act>(dy + r0 * Node::out,
                                          Node::activation_saved(y + r0 * Node::out, state + r0 * Node::internal),
                                          dy + r0 * Node::out, (r1 - r0) * Node::out);
    chunk_barrier();  // dy of this layer is complete: every row
    const auto [m0, m1] = kernels::detail::dense_team_split(Node::out, ts).rows(Node::out, t);
    ws.reserve(1, kernels::weights_rows_panel_size<Node::in, Node::out, S>(batch) * sizeof(S));
    kernels::dense_backward_weights_rows<Node::in, Node::out>(dy, x, batch, g, g + Node::bias_offset, accumulate, m0,
                                                              m1, ws.template buffer<S>(0));
    if (dx == nullptr || r0 >= r1) return;
    kernels::dense_backward_input<Node::in, Node::out, PrevAct>(
        dy + r0 * Node::out, r1 - r0, p, prev_saved ? prev_saved + r0 * Node::in : nullptr, dx + r0 * Node::in, ws);
  }

  template <bool DyIsPre, class S>
  static void team_backward(const run_context<S>& ctx, const S* p, S* g, const S* x, const S* y, const S* state,
                            S* dy, S* scratch, std::size_t batch, bool accumulate, int threads) {
    auto grad_of_output = [&](std::size_t k) { return scratch + k * max_width * batch; };  // grad_buffers
    ctx.ws.reserve_nested(threads);
    parallel_chunks(threads, [&](int t, int ts) {
      const auto [r0, r1] = team_rows(batch, t, ts);
      kernels::workspace& ws = team_workspace(ctx.ws, t);
      for (std::size_t j = 0; j < n; ++j) {
        const std::size_t k = n - 1 - j;
        const S* in = k == 0 ? x : state + layout.out_offset[k - 1] * batch;
        const S* out = k + 1 == n ? y : state + layout.out_offset[k] * batch;
        S* dyk = k + 1 == n ? dy : grad_of_output(k);
        S* dxk = k == 0 ? nullptr : grad_of_output(k - 1);
        // What the previous layer's activation derivative reads: its output or its saved z.
        const S* saved = k == 0 ? nullptr
                         : saves_z[k - 1] ? state + layout.internal_offset[k - 1] * batch
                                          : state + layout.out_offset[k - 1] * batch;
        team_backward_table<DyIsPre, S>[k](p + param_offset[k], g + param_offset[k], in, out,
                                           state + layout.internal_offset[k] * batch, dyk, dxk, saved, batch, r0, r1,
                                           t, ts, accumulate, ws);
      }
    });
  }

  template <class S>
  static void forward(const run_context<S>& ctx, const S* p, const S* x, S* y, S* state,
                      std::size_t batch) {
    if constexpr (team_capable) {
      const int threads = ctnn::num_threads();
      if (team_step<S>(batch, threads)) {
        if constexpr (pipeline_step<chain_node>::capable)
          if (ctx.training() && pipelined<S>(batch, threads))
            return pipeline_step<chain_node>::forward(ctx, p, x, y, state, batch);
        return team_forward(ctx, p, x, y, state, batch, threads);
      }
    }
    const bool fold = !ctx.training() && ctx.fold_batch_norm;
    [&]<std::size_t... K>(std::index_sequence<K...>) {
      (forward_child<K>(ctx, p, x, y, state, batch, fold), ...);
    }(std::make_index_sequence<n>{});
  }

  /// Child K's forward, or its part of a batch-norm fold (see the file comment).
  template <std::size_t K, class S>
  static void forward_child(const run_context<S>& ctx, const S* p, const S* x, S* y, S* state,
                            std::size_t batch, bool fold) {
    constexpr bool folded_away = (K >= 1 && bn_fold_at<children, K - 1>()) ||
                                 (K >= 2 && bn_fold_activation_at<children, K - 2>());
    if constexpr (folded_away) {
      constexpr std::size_t by = K >= 1 && bn_fold_at<children, K - 1>() ? K - 1 : K - 2;
      if (fold && batch >= child<by>::in) return;  // done by child K−1's or K−2's kernel
    }
    if constexpr ((K >= 1 && norm_fuse_at<children, K - 1>()) || (K >= 2 && norm_fuse_activation_at<children, K - 2>()))
      if (fuse_row_norm) return;  // done by child K−1's or K−2's kernel
    S* in = child_input<K>(const_cast<S*>(x), y, state, batch);
    if constexpr (norm_fuse_at<children, K>()) {
      if (fuse_row_norm) {
        using d = child<K>;
        const S* pd = p + param_offset[K];
        S* zk = child_output<K>(y, state, batch);
        S* yn = child_output<K + 1>(y, state, batch);
        S* ns = child_state<K + 1>(state, batch);
        if constexpr (norm_fuse_activation_at<children, K>())
          child<K + 1>::template forward_after_dense<d::in, typename activation_of<child<K + 2>>::type>(
              ctx.at(buffer_offset[K + 1]), p + param_offset[K + 1], in, pd, pd + d::bias_offset, zk, yn,
              child_output<K + 2>(y, state, batch), ns, batch);
        else
          child<K + 1>::template forward_after_dense<d::in, identity>(ctx.at(buffer_offset[K + 1]), p + param_offset[K + 1],
                                                                      in, pd, pd + d::bias_offset, zk, yn,
                                                                      static_cast<S*>(nullptr), ns, batch);
        return;
      }
    }
    if constexpr (bn_fold_at<children, K>()) {
      if (fold && batch >= child<K>::in) {
        using d = child<K>;
        S* wf = ctx.buffers + buffer_offset[n] + fold_offset[K];
        S* bf = wf + round_up_to_slot(d::in * d::out);
        const S* pd = p + param_offset[K];
        child<K + 1>::template fold_into_dense<d::in>(ctx.at(buffer_offset[K + 1]), p + param_offset[K + 1], pd,
                                                       pd + d::bias_offset, wf, bf);
        if constexpr (bn_fold_activation_at<children, K>()) {  // y = Act(z'), z' = the norm's output
          kernels::dense_forward<d::in, d::out, typename activation_of<child<K + 2>>::type>(
              in, batch, wf, bf, child_output<K + 2>(y, state, batch), child_output<K + 1>(y, state, batch), ctx.ws);
        } else {
          kernels::dense_forward<d::in, d::out, identity>(in, batch, wf, bf, child_output<K + 1>(y, state, batch),
                                                          static_cast<S*>(nullptr), ctx.ws);
        }
        return;
      }
    }
    child<K>::forward(ctx.at(buffer_offset[K]), p + param_offset[K], in, child_output<K>(y, state, batch),
                      child_state<K>(state, batch), batch);
  }

  /// True when child K's input gradient kernel absorbs child K−1's activation derivative.
  template <std::size_t K>
  static constexpr bool fuses_previous() {
    if constexpr (K == 0 || K >= n) return false;
    else if constexpr (!child<K>::is_dense || !child<K - 1>::is_dense) return false;
    else return !std::is_same_v<typename child<K - 1>::activation, identity>;
  }

  /// A training step's forward, loss gradient and backward in one pass, where both would run
  /// pipelined (pipeline_step::train_step; the network's input needs no gradient: the root
  /// chain). loss.rows(r0, r1) writes rows [r0, r1) of dy from those rows of y; loss.finish()
  /// follows the last rows. Returns false, having done nothing, elsewhere.
  template <class S, class LossBlocks>
  static bool fused_train_step(const run_context<S>& ctx, const S* p, S* g, const S* x, S* y, S* state, S* dy,
                               S* scratch, std::size_t batch, LossBlocks& loss) {
    if constexpr (team_capable) {
      if constexpr (pipeline_step<chain_node>::capable) {
        if (ctx.training() && pipelined<S>(batch, ctnn::num_threads())) {
          pipeline_step<chain_node>::template train_step<false>(ctx, p, g, x, y, state, dy, scratch, batch, loss);
          return true;
        }
      }
    }
    return false;
  }

  /// Backward. An observer, when given, is called after each child as
  /// obs(module_index, description, e, width): e is the gradient the child consumed with respect
  /// to its output, taken before its activation for a dense layer (∂L/∂z), batch × width.
  template <bool DyIsPre, class PrevAct, class S, class Observer = no_observer>
  static void backward(const run_context<S>& ctx, const S* p, S* g, const S* x, const S* y,
                       const S* state, S* dy, S* dx, const S* prev_saved, S* scratch,
                       std::size_t batch, bool accumulate, Observer&& observe = {}) {
    if constexpr (team_capable && std::is_same_v<std::decay_t<Observer>, no_observer>) {
      // The network's own input needs no gradient (dx null): the root chain of a model.
      const int threads = ctnn::num_threads();
      if (dx == nullptr && team_step<S>(batch, threads)) {
        if constexpr (pipeline_step<chain_node>::capable)
          if (pipelined<S>(batch, threads))
            return pipeline_step<chain_node>::template backward<DyIsPre>(ctx, p, g, x, y, state, dy, scratch, batch,
                                                                         accumulate);
        return team_backward<DyIsPre>(ctx, p, g, x, y, state, dy, scratch, batch, accumulate, threads);
      }
    }
    S* mx = const_cast<S*>(x);
    S* my = const_cast<S*>(y);
    S* ms = const_cast<S*>(state);
    // Gradient w.r.t. child k's output, for k < n−1: ping-pong by parity.
    auto grad_of_output = [&](std::size_t k) { return scratch + (k % 2) * max_width * batch; };
    S* child_scratch_ptr = scratch + grad_buffers * max_width * batch;
    auto step = [&]<std::size_t K>(std::integral_constant<std::size_t, K>) {
      using node = child<K>;
      if constexpr (K >= 1 && bn_fold_at<children, K - 1>()) {
        // An evaluation forward may have folded this norm away: recompute the dense output and
        // the norm's x̂ it did not leave (y and everything after it are already right).
        if (!ctx.training()) {
          child<K - 1>::forward(ctx.at(buffer_offset[K - 1]), p + param_offset[K - 1], child_input<K - 1>(mx, my, ms, batch),
                                child_output<K - 1>(my, ms, batch), child_state<K - 1>(ms, batch), batch);
          node::restore_eval_state(ctx.at(buffer_offset[K]), child_output<K - 1>(my, ms, batch),
                                   child_state<K>(ms, batch), batch);
        }
      }
      S* dyk = (K + 1 == n) ? dy : grad_of_output(K);
      S* dxk = (K == 0) ? dx : grad_of_output(K - 1);
      constexpr bool dy_is_pre = (K + 1 == n) ? DyIsPre : fuses_previous<K + 1>();
      if constexpr (fuses_previous<K>()) {
        using prev = child<K - 1>;
        const S* saved = prev::activation_saved(child_output<K - 1>(my, ms, batch),
                                                child_state<K - 1>(ms, batch));
        node::template backward<dy_is_pre, typename prev::activation>(
            ctx.at(buffer_offset[K]), p + param_offset[K], g + param_offset[K], child_input<K>(mx, my, ms, batch),
            child_output<K>(my, ms, batch), child_state<K>(ms, batch), dyk, dxk, saved,
            child_scratch_ptr, batch, accumulate);
      } else if constexpr (K == 0) {
        node::template backward<dy_is_pre, PrevAct>(
            ctx.at(buffer_offset[K]), p + param_offset[K], g + param_offset[K], mx, child_output<K>(my, ms, batch),
            child_state<K>(ms, batch), dyk, dxk, prev_saved, child_scratch_ptr, batch, accumulate);
      } else {
        node::template backward<dy_is_pre, identity>(
            ctx.at(buffer_offset[K]), p + param_offset[K], g + param_offset[K], child_input<K>(mx, my, ms, batch),
            child_output<K>(my, ms, batch), child_state<K>(ms, batch), dyk, dxk, static_cast<const S*>(nullptr),
            child_scratch_ptr, batch, accumulate);
      }
      if constexpr (!std::is_same_v<std::decay_t<Observer>, no_observer> && node::modules > 0)
        observe(module_start[K], node::describe(), static_cast<const S*>(dyk), node::out);
    };
    [&]<std::size_t... K>(std::index_sequence<K...>) {
      (step(std::integral_constant<std::size_t, n - 1 - K>{}), ...);
    }(std::make_index_sequence<n>{});
  }
};

}  // namespace ctnn::detail
