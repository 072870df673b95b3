#pragma once
// The (In, Out) layer shapes the kernel tests instantiate: odd sizes from {1, 3, 7, 17, 33,
// 100, 257} exercising every tail (row tails via the runtime batch, column tails, N < 4 dot
// path, K = 1), two exact-panel shapes (64, 128) and two shapes big enough to be threaded. Batch runs over kcheck::batches.
#include <cstddef>
#include <utility>

namespace kcheck {

template <std::size_t I, std::size_t O>
struct shape {
  static constexpr std::size_t in = I, out = O;
};

template <class F>
void for_each_shape(F&& f) {
  f(shape<1, 1>{});
  f(shape<1, 17>{});
  f(shape<3, 7>{});
  f(shape<7, 3>{});
  f(shape<17, 33>{});
  f(shape<33, 17>{});
  f(shape<100, 3>{});
  f(shape<3, 100>{});
  f(shape<33, 257>{});
  f(shape<257, 33>{});
  f(shape<100, 100>{});
  f(shape<257, 1>{});
  f(shape<7, 257>{});
  f(shape<64, 128>{});
  f(shape<128, 64>{});
  // Above the kernels' 8 MFLOP serial threshold at batch 257, so 2 threads really split:
  // 257×257 splits by weight panels (6 panels), 257×100 by batch rows (3 panels).
  f(shape<257, 257>{});
  f(shape<257, 100>{});
}

/// Fewer shapes for the every-activation sweep.
template <class F>
void for_each_act_shape(F&& f) {
  f(shape<17, 33>{});
  f(shape<100, 3>{});
  f(shape<33, 257>{});
  f(shape<257, 7>{});
}

}  // namespace kcheck
