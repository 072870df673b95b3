// Same seed and thread count ⇒ bitwise-identical parameters after 100 training steps.
#include <catch2/catch.hpp>
#include <algorithm>
#include <type_traits>
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

namespace {

// Every layer below the kernels' serial threshold (128×128 at batch 128: 4.2 MFLOP) and enough
// work in all: the chain runs as a team step (graph/chain_node.hpp), pipelined on 2 threads
// (graph/pipeline_step.hpp), split by batch rows on 3. tanh saves its output and gelu its
// pre-activation, so both kinds of saved state are split by rows; the last layer has no
// activation (its dy is the loss gradient as it is).
using team_net = ctnn::sequential<ctnn::input<128>, ctnn::dense<128>, ctnn::relu, ctnn::dense<128>, ctnn::tanh,
                                  ctnn::dense<112>, ctnn::gelu, ctnn::dense<128>, ctnn::relu, ctnn::dense<40>>;
using team_model = ctnn::model<team_net>;
static_assert(!team_model::root::team_step<float>(128, 1));
static_assert(!team_model::root::team_step<float>(16, 2));  // 8 rows a thread: too few
static_assert(team_model::root::pipelined<float>(128, 2) && !team_model::root::pipelined<float>(128, 3));
// The stages split the GEMM work as evenly as whole layers allow: layers 0-1 (2 + 3 units of
// 128·128 multiply-adds per row) against layers 2-4 (2.625 + 2.625 + 0.94).
static_assert(ctnn::detail::pipeline_step<team_model::root>::split == 2);

/// How a step is taken: trainer::step (fused on 2 threads: pipeline_step::train_step); forward,
/// loss and backward called one by one (the separate pipelined passes); or a gradient accumulated
/// over two weighted halves of a batch (the first fused with its weight, the second accumulating
/// through the separate passes).
enum class step_kind { step, passes, accumulated };

/// The parameters after 20 steps, then the 20 losses.
template <class S, class Loss = ctnn::loss::mse>
std::vector<S> train_team_net(int threads, std::size_t batch, step_kind kind = step_kind::step) {
  ctnn::set_num_threads(threads);
  ctnn::model<team_net, S> m{ctnn::seed{4}};
  ctnn::trainer tr{m, Loss{}, ctnn::optim::sgd{.lr = 0.01f, .momentum = 0.9f}};
  ctnn::rng g(21);
  using target = typename Loss::template target<S>;
  std::vector<S> x(batch * 128), losses;
  std::vector<target> y(batch * (std::is_same_v<target, S> ? 40 : 1));
  for (int step = 0; step < 20; ++step) {
    for (auto& v : x) v = static_cast<S>(g.normal());
    for (auto& v : y) v = std::is_same_v<target, S> ? static_cast<target>(g.normal()) : static_cast<target>(g.below(40));
    if (kind == step_kind::step) {
      losses.push_back(tr.step(x.data(), y.data(), batch));
    } else if (kind == step_kind::passes) {
      const S* out = m.forward(x.data(), batch);
      losses.push_back(Loss::value_and_grad(out, y.data(), batch, 40, m.output_gradient()));
      m.backward(m.output_gradient());
      tr.apply_update();
    } else {
      losses.push_back(tr.forward_backward(x.data(), y.data(), batch, false, S(0.5)));
      std::reverse(x.begin(), x.end());
      losses.push_back(tr.forward_backward(x.data(), y.data(), batch, true, S(0.5)));
      tr.apply_update();
    }
  }
  std::vector<S> out(m.parameters().begin(), m.parameters().end());
  out.insert(out.end(), losses.begin(), losses.end());
  return out;
}

template <class S>
bool same_bits(const std::vector<S>& a, const std::vector<S>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(S)) == 0;
}

}  // namespace

TEST_CASE("a team step gives the serial path's parameters bitwise, pipelined or split by batch rows",
          "[train][determinism][threads]") {
  // 2 threads, pipelined (graph/pipeline_step.hpp): 128 rows in 4 blocks of 32; 131 in 32, 32,
  // 32, 35; 77 (76 is the least work that still runs as a team step) in 16, 16, 24, 21, so every kernel
  // also runs short row tails. 3 threads, split by batch rows: 131 rows as 48, 48 and 35.
  struct run {
    int threads;
    std::size_t batch;
  };
  for (const run r : {run{2, 128}, run{2, 131}, run{2, 77}, run{3, 131}}) {
    INFO("threads " << r.threads << ", batch " << r.batch);
    CHECK(team_model::root::team_step<float>(r.batch, r.threads));
    CHECK(team_model::root::pipelined<float>(r.batch, r.threads) == (r.threads == 2));
    CHECK(same_bits(train_team_net<float>(1, r.batch), train_team_net<float>(r.threads, r.batch)));
  }
  // The double kernels of the pipeline too.
  CHECK(team_model::root::pipelined<double>(128, 2));
  CHECK(same_bits(train_team_net<double>(1, 128), train_team_net<double>(2, 128)));
  ctnn::set_num_threads(1);
}

TEST_CASE("the pipelined step gives the serial path's bits however it is taken", "[train][determinism][threads]") {
  // The fused step with softmax cross-entropy (its gradient taken block by block, its value after);
  // forward, loss and backward called one by one (the separate pipelined passes); a weighted fused
  // step followed by an accumulating one. The losses are compared as well as the parameters.
  for (const std::size_t batch : {std::size_t{128}, std::size_t{77}}) {
    INFO("batch " << batch);
    CHECK(same_bits(train_team_net<float, ctnn::loss::softmax_cross_entropy>(1, batch),
                    train_team_net<float, ctnn::loss::softmax_cross_entropy>(2, batch)));
    CHECK(same_bits(train_team_net<float>(1, batch, step_kind::passes),
                    train_team_net<float>(2, batch, step_kind::passes)));
    CHECK(same_bits(train_team_net<float>(1, batch, step_kind::accumulated),
                    train_team_net<float>(2, batch, step_kind::accumulated)));
  }
  // The three ways agree with one another too (one step from the same start, on one thread, is
  // the same arithmetic): the fused step and the passes give the same bits.
  CHECK(same_bits(train_team_net<float>(2, 128, step_kind::step), train_team_net<float>(2, 128, step_kind::passes)));
  ctnn::set_num_threads(1);
}
