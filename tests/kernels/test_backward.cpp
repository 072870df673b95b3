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
