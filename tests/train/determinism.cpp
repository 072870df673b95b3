// Same seed and thread count ⇒ bitwise-identical parameters after 100 training steps.
#include <catch2/catch.hpp>
#include <cstring>
#include <ctnn/ctnn.hpp>

namespace {

using net = ctnn::sequential<ctnn::input<64>, ctnn::dense<96>, ctnn::relu,
                             ctnn::residual<ctnn::dense<48>, ctnn::gelu, ctnn::dense<96>>, ctnn::dense<10>>;

std::vector<float> train_100_steps(int threads, std::uint64_t seed) {
  ctnn::set_num_threads(threads);
  ctnn::model<net> m{ctnn::seed{seed}};
  ctnn::trainer tr{m, ctnn::loss::softmax_cross_entropy{}, ctnn::optim::sgd{.lr = 0.05f, .momentum = 0.9f}};
  ctnn::rng g(seed);
  const std::size_t batch = 200;  // enough work that the kernels do split across threads
  std::vector<float> x(batch * 64);
  std::vector<std::int32_t> y(batch);
  for (int step = 0; step < 100; ++step) {
    for (auto& v : x) v = static_cast<float>(g.normal());
    for (auto& v : y) v = static_cast<std::int32_t>(g.below(10));
    tr.step(x.data(), y.data(), batch);
  }
  return {m.parameters().begin(), m.parameters().end()};
}

}  // namespace

TEST_CASE("same seed and thread count give bitwise-identical parameters after 100 steps", "[train][determinism]") {
  for (int threads : {1, 2}) {
    const auto a = train_100_steps(threads, 9);
    const auto b = train_100_steps(threads, 9);
    INFO("threads " << threads);
    REQUIRE(a.size() == b.size());
    CHECK(std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0);
    const auto c = train_100_steps(threads, 10);
    CHECK(std::memcmp(a.data(), c.data(), a.size() * sizeof(float)) != 0);
  }
  ctnn::set_num_threads(1);
}
