#include "kernel_check.hpp"
#include "pairs.hpp"

using namespace kcheck;

TEST_CASE("dense_forward matches the reference (identity, relu, gelu; all shapes, batches, 1-2 threads)",
          "[kernels][forward]") {
  ctnn::kernels::workspace ws;  // one workspace for every call: exercises growth and reuse
  for_threads([&](int) {
    for_each_shape([&](auto sh) {
      constexpr std::size_t I = decltype(sh)::in, O = decltype(sh)::out;
      for (std::size_t batch : batches) {
        check_forward<I, O, ctnn::identity, float>(batch, ws);
        check_forward<I, O, ctnn::relu, float>(batch, ws);
        check_forward<I, O, ctnn::gelu, float>(batch, ws);
        check_forward<I, O, ctnn::identity, double>(batch, ws);
        check_forward<I, O, ctnn::relu, double>(batch, ws);
        check_forward<I, O, ctnn::gelu, double>(batch, ws);
      }
    });
  });
}

TEST_CASE("dense_forward: every activation as the fused epilogue", "[kernels][forward][activations]") {
  ctnn::kernels::workspace ws;
  for_threads([&](int) {
    for_each_act_shape([&](auto sh) {
      constexpr std::size_t I = decltype(sh)::in, O = decltype(sh)::out;
      for_each_activation([&]<class Act>() {
        for (std::size_t batch : batches) {
          check_forward<I, O, Act, float>(batch, ws);
          check_forward<I, O, Act, double>(batch, ws);
        }
      });
    });
  });
}
