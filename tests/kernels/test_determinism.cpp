#include "kernel_check.hpp"

using namespace kcheck;

namespace {

// Every kernel splits work so each output element is one fixed fma chain, so results are
// bitwise identical run to run (required) and also across thread counts (checked too).
template <std::size_t In, std::size_t Out>
void run_all(std::size_t batch, ctnn::kernels::workspace& ws, std::vector<float>& out) {
  const auto x = random_vec<float>(batch * In, 41), w = random_vec<float>(Out * In, 42), b = random_vec<float>(Out, 43);
  const auto dz = random_vec<float>(batch * Out, 44);
  std::vector<float> y(batch * Out), z(batch * Out), dx(batch * In), dw(Out * In), db(Out);
  ctnn::kernels::dense_forward<In, Out, ctnn::tanh>(x.data(), batch, w.data(), b.data(), y.data(), z.data(), ws);
  ctnn::kernels::dense_backward_input<In, Out, ctnn::relu>(dz.data(), batch, w.data(), x.data(), dx.data(), ws);
  ctnn::kernels::dense_backward_weights<In, Out>(dz.data(), x.data(), batch, dw.data(), db.data(), false, ws);
  ctnn::kernels::dense_backward_weights<In, Out>(dz.data(), x.data(), batch, dw.data(), db.data(), true, ws);
  out.clear();
  for (auto* v : {&y, &z, &dx, &dw, &db}) out.insert(out.end(), v->begin(), v->end());
}

template <std::size_t In, std::size_t Out>
void check(std::size_t batch) {
  ctnn::kernels::workspace ws;
  std::vector<float> a, b, c;
  const int saved = ctnn::num_threads();
  ctnn::set_num_threads(2);
  run_all<In, Out>(batch, ws, a);
  run_all<In, Out>(batch, ws, b);
  ctnn::set_num_threads(1);
  run_all<In, Out>(batch, ws, c);
  ctnn::set_num_threads(saved);
  INFO("shape " << In << "x" << Out << " batch " << batch);
  REQUIRE(a.size() == b.size());
  CHECK(std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0);  // same thread count: bitwise equal
  CHECK(std::memcmp(a.data(), c.data(), a.size() * sizeof(float)) == 0);  // 1 vs 2 threads: also equal
}

}  // namespace

TEST_CASE("dense kernels are bitwise deterministic", "[kernels][determinism]") {
  check<784, 256>(256);
  check<257, 257>(257);
  check<256, 10>(256);
  check<100, 100>(33);
}

namespace {

// The weight gradient over a batch in row blocks, each block resuming the chains the one before
// left in dW and db (the pipelined team step), against one call over the whole batch: the same
// bits, for full and masked column tails, short Out tiles and one-thread row ranges.
template <std::size_t In, std::size_t Out, class S>
void check_resumed(std::size_t batch, std::vector<std::size_t> cuts, std::size_t m0, std::size_t m1) {
  const auto x = random_vec<S>(batch * In, 51), dz = random_vec<S>(batch * Out, 52);
  std::vector<S> panel(ctnn::kernels::weights_rows_panel_size<In, Out, S>(batch) + 64);
  S* aligned_panel = reinterpret_cast<S*>((reinterpret_cast<std::uintptr_t>(panel.data()) + 63) / 64 * 64);
  std::vector<S> whole_w(Out * In, S(7)), whole_b(Out, S(7)), blocks_w(Out * In, S(7)), blocks_b(Out, S(7));
  ctnn::kernels::dense_backward_weights_rows<In, Out>(dz.data(), x.data(), batch, whole_w.data(), whole_b.data(), false,
                                                      m0, m1, aligned_panel);
  cuts.insert(cuts.begin(), 0);
  cuts.push_back(batch);
  for (std::size_t b = 0; b + 1 < cuts.size(); ++b)
    ctnn::kernels::dense_backward_weights_rows<In, Out>(dz.data() + cuts[b] * Out, x.data() + cuts[b] * In,
                                                        cuts[b + 1] - cuts[b], blocks_w.data(), blocks_b.data(),
                                                        b > 0 /* ignored when resuming */, m0, m1, aligned_panel, b > 0);
  INFO("shape " << In << "x" << Out << " batch " << batch << " rows " << m0 << "-" << m1 << " blocks " << cuts.size() - 1);
  CHECK(std::memcmp(whole_w.data(), blocks_w.data(), whole_w.size() * sizeof(S)) == 0);
  CHECK(std::memcmp(whole_b.data(), blocks_b.data(), whole_b.size() * sizeof(S)) == 0);
  // The resumed sums are the gradient, not the fill value they started over.
  CHECK(blocks_w[m0 * In] != S(7));
}

}  // namespace

TEST_CASE("the weight gradient resumed over row blocks gives the bits of one call", "[kernels][determinism]") {
  check_resumed<128, 128, float>(128, {32, 64, 96}, 0, 128);
  check_resumed<128, 128, double>(131, {24, 64, 128}, 0, 128);
  check_resumed<100, 33, float>(77, {8, 40}, 0, 33);
  check_resumed<257, 10, float>(33, {1, 17}, 0, 10);
  check_resumed<784, 256, float>(64, {16, 48}, 0, 256);
  check_resumed<64, 100, float>(50, {16, 32}, 37, 100);  // a thread's rows: an overlapping last tile
}
