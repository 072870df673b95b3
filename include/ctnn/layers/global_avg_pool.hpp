#pragma once
// global_avg_pool: each channel's mean over all H×W pixels: an image C×H×W becomes a feature
// vector of C (PyTorch's AdaptiveAvgPool2d(1) followed by flatten). dx = dy / (H·W) everywhere.
namespace ctnn {

struct global_avg_pool {};

}  // namespace ctnn
