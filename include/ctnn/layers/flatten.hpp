#pragma once
// flatten: reshapes each sample to one row of features (PyTorch's nn.Flatten). Samples are
// already stored as rows, so on feature vectors this is the identity and costs a copy.
namespace ctnn {

struct flatten {};

}  // namespace ctnn
