#pragma once
// Every activation ctnn ships; tests and docs iterate over ctnn::all_activations.
#include <tuple>
#include <ctnn/layers/activation.hpp>
#include <ctnn/layers/gelu.hpp>
#include <ctnn/layers/identity.hpp>
#include <ctnn/layers/leaky_relu.hpp>
#include <ctnn/layers/relu.hpp>
#include <ctnn/layers/selu.hpp>
#include <ctnn/layers/sigmoid.hpp>
#include <ctnn/layers/silu.hpp>
#include <ctnn/layers/softplus.hpp>
#include <ctnn/layers/tanh.hpp>

namespace ctnn {

using all_activations =
    std::tuple<identity, relu, leaky_relu<>, tanh, sigmoid, gelu, selu, silu, softplus>;

}  // namespace ctnn
