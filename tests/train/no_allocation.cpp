// Nothing is allocated per training step: after the first step at the largest batch, further
// steps (any batch up to it, any thread count already used) make no heap allocation.
// Global operator new is replaced in this executable to count allocations.
#include <catch2/catch.hpp>
#include <atomic>
#include <cstdlib>
#include <new>
#include <ctnn/ctnn.hpp>

namespace {
std::atomic<long> allocations{0};
}

// None of the replacements is inlined: where g++ 12 inlines new (malloc) and delete (free) into
// the same function (std::make_unique in the workspaces), it reports a false
// -Wmismatched-new-delete.
[[gnu::noinline]] void* operator new(std::size_t n) {
  ++allocations;
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc{};
}
[[gnu::noinline]] void* operator new(std::size_t n, std::align_val_t a) {
  ++allocations;
  const std::size_t al = static_cast<std::size_t>(a);
  if (void* p = std::aligned_alloc(al, (n + al - 1) / al * al)) return p;
  throw std::bad_alloc{};
}
// The nothrow forms too (Catch2 registers tests with new(std::nothrow)): the standard library's
// forward to operator new(size_t) above, but ASan's do not, and memory from ASan's new freed by
// the replaced delete below is an alloc-dealloc mismatch.
[[gnu::noinline]] void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  ++allocations;
  return std::malloc(n ? n : 1);
}
[[gnu::noinline]] void* operator new(std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
  ++allocations;
  const std::size_t al = static_cast<std::size_t>(a);
  return std::aligned_alloc(al, (n + al - 1) / al * al);
}
[[gnu::noinline]] void operator delete(void* p) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete(void* p, std::size_t) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }

TEST_CASE("a training step allocates nothing once the largest batch has been seen", "[train][allocation]") {
  using net = ctnn::sequential<ctnn::input<784>, ctnn::dense<256>, ctnn::relu,
                               ctnn::residual<ctnn::dense<64>, ctnn::gelu, ctnn::dense<256>>,
                               ctnn::dense<256>, ctnn::relu, ctnn::dense<10>>;
  ctnn::model<net> m{ctnn::seed{1}};
  ctnn::trainer tr{m, ctnn::loss::softmax_cross_entropy{}, ctnn::optim::sgd{.lr = 0.01f, .momentum = 0.9f}};
  std::vector<float> x(256 * 784, 0.25f);
  std::vector<std::int32_t> y(256, 3);
  for (int threads : {1, 2}) {
    ctnn::set_num_threads(threads);
    tr.step(x.data(), y.data(), 256);  // sizes every workspace
    tr.step(x.data(), y.data(), 64);
  }
  for (int threads : {1, 2}) {
    ctnn::set_num_threads(threads);
    const long before = allocations.load();
    for (std::size_t batch : {256u, 64u, 17u, 1u, 256u}) tr.step(x.data(), y.data(), batch);
    const long during = allocations.load() - before;  // read before Catch's INFO allocates
    INFO("threads " << threads);
    CHECK(during == 0);
  }
  ctnn::set_num_threads(1);
}

TEST_CASE("a team step allocates nothing once the largest batch has been seen", "[train][allocation][threads]") {
  using net = ctnn::sequential<ctnn::input<128>, ctnn::repeat<4, ctnn::dense<128>, ctnn::relu>, ctnn::dense<16>>;
  using model_t = ctnn::model<net>;
  // The largest batch runs as a team step: pipelined on 2 threads, split by batch rows on 3.
  static_assert(model_t::root::pipelined<float>(192, 2));
  static_assert(model_t::root::team_step<float>(192, 3) && !model_t::root::pipelined<float>(192, 3));
  model_t m{ctnn::seed{1}};
  ctnn::trainer tr{m, ctnn::loss::mse{}, ctnn::optim::sgd{.lr = 0.01f, .momentum = 0.9f}};
  std::vector<float> x(192 * 128, 0.25f), y(192 * 16, 0.5f);
  for (int threads : {2, 3}) {
    ctnn::set_num_threads(threads);
    tr.step(x.data(), y.data(), 192);  // sizes every workspace
    const long before = allocations.load();
    for (std::size_t batch : {192u, 131u, 64u, 7u, 192u}) tr.step(x.data(), y.data(), batch);
    const long during = allocations.load() - before;  // read before Catch's INFO allocates
    INFO("threads " << threads);
    CHECK(during == 0);
  }
  ctnn::set_num_threads(1);
}
