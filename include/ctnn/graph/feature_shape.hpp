#pragma once
// feature_shape: what one sample looks like between two layers: C channels of H×W pixels
// (a feature vector is {N, 1, 1}). Used as a template argument while a network is bound.
//
// Storage: an image sample is kept channels-last (NHWC: the C channels of a pixel are
// contiguous), so that a convolution over a batch is ONE GEMM with N·H·W rows and the
// per-channel normalizations are the vector kernels run over N·H·W rows. Users see NCHW
// (PyTorch's order): the network converts at its edges (graph/layout_nodes.hpp).
#include <cstddef>

namespace ctnn {

struct feature_shape {
  std::size_t c = 1, h = 1, w = 1;
  constexpr std::size_t size() const { return c * h * w; }
  constexpr std::size_t pixels() const { return h * w; }
  /// True for images (more than one pixel); a feature vector is {N, 1, 1}.
  constexpr bool spatial() const { return h * w > 1; }
  constexpr bool operator==(const feature_shape&) const = default;
};

}  // namespace ctnn
