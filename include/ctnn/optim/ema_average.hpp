#pragma once
// optim::ema_average: an exponential moving average of the weights (as
// torch.optim.swa_utils.get_ema_multi_avg_fn; Polyak-style averaging with forgetting), kept in a
// state arena for evaluation:
//   θ̄ ← θ at the first update,   afterwards θ̄ ← δ θ̄ + (1 − δ) θ
// swap() exchanges the parameters and the average: call it before evaluating and again after.
// Default δ = 0.999.
#include <algorithm>
#include <cstddef>
#include <span>
#include <string_view>
#include <xsimd/xsimd.hpp>
#include <ctnn/core/aligned_buffer.hpp>
#include <ctnn/optim/fused_pass.hpp>

namespace ctnn::optim {

struct ema_average {
  static constexpr std::string_view name = "ema_average";
  float decay = 0.999f;

  template <class S>
  struct state {
    aligned_buffer<S> average;
    std::size_t count = 0;
    /// The checkpoint protocol (ctnn/io/optimizer_state.hpp): arena average (θ̄) and the update counter.
    template <class F>
    void visit_state(F&& f) {
      f(std::string_view("average"), std::span<S>(average.data(), average.size()));
      f(std::string_view("count"), count);
    }
  };

  template <class S>
  state<S> make_state(std::size_t n) const {
    return {aligned_buffer<S>(n), 0};
  }

  template <class S>
  void update(const S* p, state<S>& st, std::size_t n) const {
    if (st.count++ == 0) {
      std::copy(p, p + n, st.average.data());
      return;
    }
    using B = xsimd::batch<S>;
    const S d = decay;
    fused_pass_parallel(std::size_t{0}, n, p, [&](B pp, B& avg) { avg = B(d) * avg + B(S(1) - d) * pp; },
                        st.average.data());
  }

  /// Exchanges the parameters and the average (an involution).
  template <class S>
  static void swap(S* p, state<S>& st, std::size_t n) {
    std::swap_ranges(p, p + n, st.average.data());
  }
};

}  // namespace ctnn::optim
