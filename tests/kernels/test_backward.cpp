#include "kernel_check.hpp"
#include "pairs.hpp"

using namespace kcheck;

TEST_CASE("dense_backward_input matches the reference (identity, relu, gelu; all shapes, batches, 1-2 threads)",
          "[kernels][backward_input]") {
  ctnn::kernels::workspace ws;
  for_threads([&](int) {
    for_each_shape([&](auto sh) {
      constexpr std::size_t I = decltype(sh)::in, O = decltype(sh)::out;
      for (std::size_t batch : batches) {
        check_backward_input<I, O, ctnn::identity, float>(batch, ws);
        check_backward_input<I, O, ctnn::relu, float>(batch, ws);
        check_backward_input<I, O, ctnn::gelu, float>(batch, ws);
        check_backward_input<I, O, ctnn::identity, double>(batch, ws);
        check_backward_input<I, O, ctnn::relu, double>(batch, ws);
        check_backward_input<I, O, ctnn::gelu, double>(batch, ws);
      }
    });
  });
}

TEST_CASE("dense_backward_input: every activation derivative fused", "[kernels][backward_input][activations]") {
  ctnn::kernels::workspace ws;
  for_threads([&](int) {
    for_each_act_shape([&](auto sh) {
      constexpr std::size_t I = decltype(sh)::in, O = decltype(sh)::out;
      for_each_activation([&]<class Act>() {
        for (std::size_t batch : batches) {
          check_backward_input<I, O, Act, float>(batch, ws);
          check_backward_input<I, O, Act, double>(batch, ws);
        }
      });
    });
  });
}

TEST_CASE("dense_backward_weights matches the reference (all shapes, batches, accumulate, 1-2 threads)",
          "[kernels][backward_weights]") {
  ctnn::kernels::workspace ws;
  for_threads([&](int) {
    for_each_shape([&](auto sh) {
      constexpr std::size_t I = decltype(sh)::in, O = decltype(sh)::out;
      for (std::size_t batch : batches)
        for (bool acc : {false, true}) {
          check_backward_weights<I, O, float>(batch, acc, ws);
          check_backward_weights<I, O, double>(batch, acc, ws);
        }
    });
  });
}

// x's panels read in place (kernels/dense_backward_weights.hpp, in_place_panels): rows of whole
// vectors whose stride does not alias in L1, or a single panel; each shape aligned (in place)
// and one element off (packed), against the same reference.
static_assert(ctnn::kernels::detail::in_place_panels<float, 784>());   // stride 49 lines
static_assert(ctnn::kernels::detail::in_place_panels<float, 288>());   // 18 lines, gcd 2
static_assert(ctnn::kernels::detail::in_place_panels<float, 64>());    // one panel
static_assert(!ctnn::kernels::detail::in_place_panels<float, 256>());  // 16 lines: 4 sets
static_assert(!ctnn::kernels::detail::in_place_panels<float, 100>());  // not whole vectors
TEST_CASE("dense_backward_weights: x's panels in place and packed agree with the reference",
          "[kernels][backward_weights]") {
  ctnn::kernels::workspace ws;
  for_threads([&](int) {
    for (std::size_t offset : {0, 1})
      for (std::size_t batch : {1, 7, 33})
        for (bool acc : {false, true}) {
          check_backward_weights<16, 5, float>(batch, acc, ws, offset);
          check_backward_weights<64, 33, float>(batch, acc, ws, offset);
          check_backward_weights<288, 7, float>(batch, acc, ws, offset);
          check_backward_weights<784, 10, float>(batch, acc, ws, offset);
          check_backward_weights<24, 5, double>(batch, acc, ws, offset);
          check_backward_weights<72, 9, double>(batch, acc, ws, offset);
        }
  });
}

// The dense layers' split of dW (OwnerRows): by the rows of W whose outputs each thread's forward
// computes, when the forward splits by panels of Out. Each thread's last tile overlaps the one
// before it when its rows are not a multiple of the tile height; the recomputed rows must be
// the same values and the rows of the other thread untouched. The shapes split at 2 threads
// (static_asserts), with 64 rows per thread on 6-row tiles, and 144 + 113 rows on 8-row tiles.
static_assert(ctnn::kernels::detail::dense_forward_split<float>(256, 128, 257, 2).by_panels);
static_assert(ctnn::kernels::detail::dense_forward_split<double>(256, 128, 257, 2).by_panels);
static_assert(ctnn::kernels::detail::dense_forward_split<float>(257, 257, 257, 2).by_panels);
static_assert(!ctnn::kernels::detail::dense_forward_split<float>(128, 128, 128, 2).by_panels);  // 4.2 MFLOP: serial
TEST_CASE("dense_backward_weights split by the forward's rows of W agrees with the reference",
          "[kernels][backward_weights]") {
  ctnn::kernels::workspace ws;
  for_threads([&](int) {
    for (std::size_t offset : {0, 1})
      for (std::size_t batch : {7, 257})
        for (bool acc : {false, true}) {
          check_backward_weights<256, 128, float, true>(batch, acc, ws, offset);
          check_backward_weights<256, 128, double, true>(batch, acc, ws, offset);
          check_backward_weights<257, 257, float, true>(batch, acc, ws, offset);
        }
  });
}
