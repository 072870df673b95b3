#pragma once
// spatial_node<Node, Pixels>: a per-feature layer bound to C channels (Node: a norm layer's node
// of width C) applied at each of the Pixels pixels of an NHWC image. Because a batch of images
// is stored as batch·Pixels rows of C channels, this is Node run with batch·Pixels rows:
//  - batch_norm's per-feature statistics over the rows are PyTorch's BatchNorm2d (statistics per
//    channel over batch, height and width);
//  - layer_norm / rms_norm normalize each pixel's C channels (the channels-last LayerNorm of
//    ConvNeXt).
// Parameters, buffers and names are Node's; state and scratch scale with Pixels.
#include <cstddef>
#include <string>
#include <ctnn/graph/run_context.hpp>

namespace ctnn::detail {

template <class Node, std::size_t Pixels>
struct spatial_node {
  static constexpr bool is_dense = false;
  static constexpr std::size_t in = Node::in * Pixels, out = Node::out * Pixels, modules = Node::modules;
  static constexpr std::size_t params = Node::params, slot_count = Node::slot_count;
  static constexpr std::size_t buffers = Node::buffers, buffer_slot_count = Node::buffer_slot_count;
  static constexpr std::size_t internal = Node::internal * Pixels, grad_scratch = Node::grad_scratch * Pixels;
  static constexpr std::size_t flops_per_sample = Node::flops_per_sample * Pixels;
  static std::string describe() { return Node::describe() + " per pixel of " + std::to_string(Pixels); }
  static consteval auto slots() { return Node::slots(); }
  static consteval auto buffer_slots() { return Node::buffer_slots(); }
  template <class S>
  static void init(S* p, std::uint64_t seed, std::size_t slot_base) {
    Node::init(p, seed, slot_base);
  }
  template <class S>
  static void forward(const run_context<S>& ctx, const S* p, const S* x, S* y, S* state, std::size_t batch) {
    Node::forward(ctx, p, x, y, state, batch * Pixels);
  }
  template <bool DyIsPre, class PrevAct, class S>
  static void backward(const run_context<S>& ctx, const S* p, S* g, const S* x, const S* y, const S* state, S* dy,
                       S* dx, const S* prev_saved, S* scratch, std::size_t batch, bool accumulate) {
    Node::template backward<DyIsPre, PrevAct>(ctx, p, g, x, y, state, dy, dx, prev_saved, scratch, batch * Pixels,
                                              accumulate);
  }
};

}  // namespace ctnn::detail
