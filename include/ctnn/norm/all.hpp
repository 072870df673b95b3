#pragma once
// Every norm policy ctnn ships; tests and docs iterate over ctnn::norm::all (the norm layers,
// with the parameters they are tested at), norm::none apart; ctnn::norm::all_weight the
// reparametrizations of dense's weight.
#include <tuple>
#include <ctnn/norm/batch_norm.hpp>
#include <ctnn/norm/concepts.hpp>
#include <ctnn/norm/group_norm.hpp>
#include <ctnn/norm/instance_norm.hpp>
#include <ctnn/norm/layer_norm.hpp>
#include <ctnn/norm/none.hpp>
#include <ctnn/norm/rms_norm.hpp>
#include <ctnn/norm/spectral_norm.hpp>
#include <ctnn/norm/weight_norm.hpp>

namespace ctnn::norm {

using all = std::tuple<batch_norm<>, layer_norm<>, rms_norm<>, group_norm<2>>;
using all_weight = std::tuple<weight_norm, spectral_norm>;

}  // namespace ctnn::norm
