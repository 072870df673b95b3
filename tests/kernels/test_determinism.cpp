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
