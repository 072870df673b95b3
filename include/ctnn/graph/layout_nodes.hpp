#pragma once
// The layout conversions at a network's image edges (see graph/feature_shape.hpp: images are
// stored NHWC inside, users see PyTorch's NCHW):
//  - nchw_to_nhwc_node<C, H, W>: first node of a network whose input<C, H, W> has C > 1 and more
//    than one pixel; takes no module index (it is not a layer the user wrote);
//  - nhwc_to_nchw_node<C, H, W>: ctnn::flatten after such an image (PyTorch's Flatten order: channel,
//    row, column), so a dense layer after it has PyTorch's weight layout;
//  - nhwc_to_nchw_output_node<C, H, W>: last node of a network whose output is still a
//    multi-channel image, so predict, the loss and its targets see PyTorch's [batch, C, H, W]
//    order; takes no module index.
// Each is a per-sample transpose; its backward is the inverse transpose.
#include <array>
#include <cstddef>
#include <string>
#include <fmt/format.h>
#include <ctnn/graph/run_context.hpp>
#include <ctnn/graph/slot.hpp>

namespace ctnn::detail {

/// dst[p][c] = src[c][p] for each sample (Rows = C, Cols = pixels for NCHW → NHWC).
template <std::size_t Rows, std::size_t Cols, class S>
void transpose_samples(const S* src, S* dst, std::size_t batch) {
  constexpr std::size_t B = 16;  // tiles keep both sides in cache lines
  for (std::size_t n = 0; n < batch; ++n) {
    const S* s = src + n * Rows * Cols;
    S* d = dst + n * Rows * Cols;
    for (std::size_t r0 = 0; r0 < Rows; r0 += B)
      for (std::size_t c0 = 0; c0 < Cols; c0 += B)
        for (std::size_t r = r0; r < std::min(Rows, r0 + B); ++r)
          for (std::size_t c = c0; c < std::min(Cols, c0 + B); ++c) d[c * Rows + r] = s[r * Cols + c];
  }
}

template <std::size_t C, std::size_t H, std::size_t W, bool ToNHWC, std::size_t Modules>
struct layout_node {
  static constexpr bool is_dense = false;
  static constexpr std::size_t in = C * H * W, out = C * H * W, modules = Modules;
  static constexpr std::size_t params = 0, slot_count = 0, grad_scratch = 0, internal = 0;
  static constexpr std::size_t buffers = 0, buffer_slot_count = 0;
  static constexpr std::size_t flops_per_sample = 0;
  static std::string describe() {
    if constexpr (ToNHWC) return fmt::format("input {}×{}×{} (NCHW → channels-last)", C, H, W);
    else if constexpr (Modules == 0) return fmt::format("output {}×{}×{} (channels-last → NCHW)", C, H, W);
    else return fmt::format("flatten ({}×{}×{} → {} in NCHW order)", C, H, W, C * H * W);
  }
  static consteval std::array<slot_desc, 0> slots() { return {}; }
  static consteval std::array<slot_desc, 0> buffer_slots() { return {}; }
  template <class S> static void init(S*, std::uint64_t, std::size_t) {}
  template <class S>
  static void forward(const run_context<S>&, const S*, const S* x, S* y, S*, std::size_t batch) {
    if constexpr (ToNHWC) transpose_samples<C, H * W>(x, y, batch);
    else transpose_samples<H * W, C>(x, y, batch);
  }
  template <bool DyIsPre, class PrevAct, class S>
  static void backward(const run_context<S>&, const S*, S*, const S*, const S*, const S*, S* dy, S* dx, const S*, S*,
                       std::size_t batch, bool) {
    if (!dx) return;
    if constexpr (ToNHWC) transpose_samples<H * W, C>(dy, dx, batch);
    else transpose_samples<C, H * W>(dy, dx, batch);
  }
};

template <std::size_t C, std::size_t H, std::size_t W>
using nchw_to_nhwc_node = layout_node<C, H, W, true, 0>;
template <std::size_t C, std::size_t H, std::size_t W>
using nhwc_to_nchw_node = layout_node<C, H, W, false, 1>;
template <std::size_t C, std::size_t H, std::size_t W>
using nhwc_to_nchw_output_node = layout_node<C, H, W, false, 0>;

}  // namespace ctnn::detail
