#pragma once
// optim::polyak_average: the running mean of the iterates (Polyak & Juditsky 1992; as
// torch.optim.swa_utils.AveragedModel's default), kept in a state arena for evaluation:
//   count ← count + 1;   θ̄ ← θ̄ + (θ − θ̄) / count      (θ̄ = θ at the first counted update)
// Updates before `.start` are not counted (tail averaging). swap() exchanges the parameters
// and the average: call it before evaluating and again afterwards.
//   optim::polyak_average avg{.start = 1000};
//   auto as = avg.make_state<float>(n);
//   ... after each optimizer step: avg.update(params, as, n);
//   avg.swap(params, as, n); evaluate(); avg.swap(params, as, n);
#include <algorithm>
#include <cstddef>
#include <span>
#include <string_view>
#include <xsimd/xsimd.hpp>
#include <ctnn/core/aligned_buffer.hpp>
#include <ctnn/optim/fused_pass.hpp>

namespace ctnn::optim {

struct polyak_average {
  static constexpr std::string_view name = "polyak_average";
  std::size_t start = 0;

  template <class S>
  struct state {
    aligned_buffer<S> average;
    std::size_t seen = 0, count = 0;
    /// The checkpoint protocol (ctnn/io/optimizer_state.hpp): arena average (θ̄) and the counters seen and
    /// count.
    template <class F>
    void visit_state(F&& f) {
      f(std::string_view("average"), std::span<S>(average.data(), average.size()));
      f(std::string_view("seen"), seen);
      f(std::string_view("count"), count);
    }
  };

  template <class S>
  state<S> make_state(std::size_t n) const {
    return {aligned_buffer<S>(n), 0, 0};
  }

  template <class S>
  void update(const S* p, state<S>& st, std::size_t n) const {
    if (st.seen++ < start) return;
    using B = xsimd::batch<S>;
    const S w = S(1) / static_cast<S>(++st.count);
    fused_pass_parallel(std::size_t{0}, n, p, [&](B pp, B& avg) { avg = avg + B(w) * (pp - avg); },
                        st.average.data());
  }

  /// Exchanges the parameters and the average (an involution).
  template <class S>
  static void swap(S* p, state<S>& st, std::size_t n) {
    std::swap_ranges(p, p + n, st.average.data());
  }
};

}  // namespace ctnn::optim
