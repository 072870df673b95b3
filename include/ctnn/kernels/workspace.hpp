#pragma once
// ctnn::kernels::workspace: the packing buffers of the dense kernels.
//
// One 64-byte aligned buffer per thread (a kernel packs the weight panel it is about to use
// into its own thread's buffer), grown on demand and never shrunk: after the first call with
// the largest layer, no call allocates. Default-constructible and movable; not shareable by
// two concurrent calls.
//
// Kernels that split their work over threads themselves and call the dense kernels from inside
// the parallel region (convolution: one GEMM per chunk of im2col rows) give each thread a
// nested workspace of its own, and keep their own data (im2col chunks, partial sums) in one
// shared scratch buffer.
#include <cstddef>
#include <memory>
#include <vector>

#include <ctnn/core/aligned_buffer.hpp>

namespace ctnn::kernels {

class workspace {
 public:
  workspace() = default;
  workspace(workspace&&) noexcept = default;
  workspace& operator=(workspace&&) noexcept = default;
  workspace(const workspace&) = delete;
  workspace& operator=(const workspace&) = delete;

  /// Makes sure `threads` buffers of at least `bytes` bytes each exist. Call before a parallel region.
  void reserve(int threads, std::size_t bytes) {
    if (threads < 1) threads = 1;
    if (buffers_.size() < static_cast<std::size_t>(threads)) buffers_.resize(static_cast<std::size_t>(threads));
    // Round up to a cache line so consecutive calls with slightly larger shapes reuse the buffer.
    bytes = (bytes + cache_line - 1) / cache_line * cache_line;
    for (int t = 0; t < threads; ++t) buffers_[static_cast<std::size_t>(t)].reserve(bytes);
  }

  /// Thread `tid`'s buffer as an array of S (64-byte aligned). reserve() must have covered it.
  template <class S>
  S* buffer(int tid) noexcept {
    return reinterpret_cast<S*>(buffers_[static_cast<std::size_t>(tid)].data());
  }

  /// Makes sure `threads` nested workspaces exist. Call before a parallel region.
  void reserve_nested(int threads) {
    if (threads < 1) threads = 1;
    while (nested_.size() < static_cast<std::size_t>(threads)) nested_.push_back(std::make_unique<workspace>());
  }
  /// Thread `tid`'s nested workspace (reserve_nested must have covered it).
  workspace& nested(int tid) noexcept { return *nested_[static_cast<std::size_t>(tid)]; }

  /// A shared scratch array of at least `elems` elements of S (64-byte aligned), grown on demand.
  /// Call before a parallel region; threads then use disjoint parts of it.
  template <class S>
  S* scratch(std::size_t elems) {
    scratch_.reserve((elems * sizeof(S) + cache_line - 1) / cache_line * cache_line);
    return reinterpret_cast<S*>(scratch_.data());
  }

  /// Bytes currently held (all threads and nested workspaces together).
  std::size_t bytes() const noexcept {
    std::size_t n = scratch_.size();
    for (const auto& b : buffers_) n += b.size();
    for (const auto& w : nested_) n += w->bytes();
    return n;
  }

 private:
  std::vector<aligned_buffer<std::byte>> buffers_;
  std::vector<std::unique_ptr<workspace>> nested_;
  aligned_buffer<std::byte> scratch_;
};

}  // namespace ctnn::kernels
