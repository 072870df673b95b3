// The ctnn half of the interop check: see ctnn_side.hpp.
#include "ctnn_side.hpp"

#include <random>
#include <ctnn/ctnn.hpp>
#include <ctnn/io/safetensors.hpp>

namespace interop {
namespace {

using ctnn::dense, ctnn::input, ctnn::relu, ctnn::sequential;
using mlp_net = sequential<input<784>, dense<64>, relu, dense<10>>;
using bn_layer_net = sequential<input<784>, dense<64>, ctnn::norm::batch_norm<>, relu, dense<10>>;
using bn_policy_net =
    sequential<input<784>, dense<64, ctnn::init::kaiming_uniform<>, ctnn::norm::batch_norm<>>, relu, dense<10>>;

template <class Model>
void randomize_batch_norm(Model& m, unsigned seed) {
  std::mt19937 g(seed);
  std::uniform_real_distribution<double> u(-0.5, 0.5);
  for (auto& v : m.parameter("1.weight")) v = 1 + u(g);
  for (auto& v : m.parameter("1.bias")) v = u(g);
  for (auto& v : m.buffer("1.running_mean")) v = u(g);
  for (auto& v : m.buffer("1.running_var")) v = 1 + u(g);
}

template <class Model>
batches logits(Model& m, const batches& xs) {
  using S = typename Model::scalar;
  batches out;
  for (const auto& x : xs) {
    const std::size_t batch = x.size() / 784;
    xt::xtensor<S, 2> xt_ = xt::empty<S>({batch, std::size_t{784}});
    std::copy(x.begin(), x.end(), xt_.begin());
    const auto y = m.predict(xt_);
    out.emplace_back(y.begin(), y.end());
  }
  return out;
}

template <class Net, class S>
batches save_as(bool bn, unsigned seed, const std::string& path, const batches& x) {
  ctnn::model<Net, S> m{ctnn::seed{seed}};
  if (bn) randomize_batch_norm(m, seed);
  ctnn::save(m, path);
  return logits(m, x);
}

template <class Net, class S>
batches load_as(const std::string& path, const batches& x) {
  ctnn::model<Net, S> m{ctnn::seed{12345}};
  ctnn::load(m, path);
  return logits(m, x);
}

}  // namespace

bool has_batch_norm(net n) { return n != net::mlp; }
bool is_f64(net n) { return n == net::bn_layer_f64; }

batches save_ctnn(net n, unsigned seed, const std::string& path, const batches& x) {
  switch (n) {
    case net::mlp: return save_as<mlp_net, float>(false, seed, path, x);
    case net::bn_layer: return save_as<bn_layer_net, float>(true, seed, path, x);
    case net::bn_policy: return save_as<bn_policy_net, float>(true, seed, path, x);
    case net::bn_layer_f64: return save_as<bn_layer_net, double>(true, seed, path, x);
  }
  return {};
}

batches load_ctnn(net n, const std::string& path, const batches& x) {
  switch (n) {
    case net::mlp: return load_as<mlp_net, float>(path, x);
    case net::bn_layer: return load_as<bn_layer_net, float>(path, x);
    case net::bn_policy: return load_as<bn_policy_net, float>(path, x);
    case net::bn_layer_f64: return load_as<bn_layer_net, double>(path, x);
  }
  return {};
}

}  // namespace interop
