#pragma once
// sched::inverse_sqrt: the Transformer's schedule (Vaswani et al. 2017, arXiv:1706.03762, in
// fairseq's inverse_sqrt form), with s = t + 1:
//   s < W:  η s / W           (linear warmup)
//   s ≥ W:  η √(W / s)        (W = 0: η / √s)
#include <cmath>
#include <cstddef>
#include <ctnn/sched/base_rate.hpp>
#include <string_view>

namespace ctnn::sched {

struct inverse_sqrt {
  static constexpr std::string_view name = "inverse_sqrt";
  double lr = from_optimizer;  ///< the optimizer's learning rate unless set (sched/base_rate.hpp)
  std::size_t warmup = 4000;  ///< W
  double operator()(std::size_t t) const {
    const double eta = detail::base_rate(lr, "inverse_sqrt"), s = double(t + 1), w = double(warmup);
    if (warmup == 0) return eta / std::sqrt(s);
    return s < w ? eta * s / w : eta * std::sqrt(w / s);
  }
};

}  // namespace ctnn::sched
