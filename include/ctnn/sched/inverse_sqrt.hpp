#pragma once
// sched::inverse_sqrt: the Transformer's schedule (Vaswani et al. 2017, arXiv:1706.03762, in
// fairseq's inverse_sqrt form), with s = t + 1:
//   s < W:  η s / W           (linear warmup)
//   s ≥ W:  η √(W / s)        (W = 0: η / √s)
#include <cmath>
#include <cstddef>

namespace ctnn::sched {

struct inverse_sqrt {
  double lr = 1e-3;
  std::size_t warmup = 4000;  ///< W
  double operator()(std::size_t t) const {
    const double s = double(t + 1), w = double(warmup);
    if (warmup == 0) return lr / std::sqrt(s);
    return s < w ? lr * s / w : lr * std::sqrt(w / s);
  }
};

}  // namespace ctnn::sched
