#pragma once
// dropout<RatePercent>: in training, each element is zeroed with probability p = RatePercent/100
// and the others scaled by 1/(1 − p) (inverted dropout, as PyTorch), so evaluation is the
// identity. The mask is drawn from the model's seed, the layer's position and a count of
// training forwards: the same seed gives the same masks whatever the thread count.
// dx = dy ⊙ mask.
#include <cstddef>

namespace ctnn {

template <std::size_t RatePercent>
struct dropout {
  static_assert(RatePercent < 100, "ctnn::dropout<RatePercent>: the rate must be in [0, 100)");
  static constexpr double rate = RatePercent / 100.0;
};

}  // namespace ctnn
