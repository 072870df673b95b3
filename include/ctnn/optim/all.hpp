#pragma once
// Every optimizer, and the one list that tests, docs and benchmarks iterate over.
#include <tuple>
#include <ctnn/optim/concepts.hpp>
#include <ctnn/optim/sgd.hpp>
#include <ctnn/optim/adagrad.hpp>
#include <ctnn/optim/adagrad_norm.hpp>
#include <ctnn/optim/rmsprop.hpp>
#include <ctnn/optim/adadelta.hpp>
#include <ctnn/optim/adam.hpp>
#include <ctnn/optim/nadam.hpp>
#include <ctnn/optim/radam.hpp>
#include <ctnn/optim/adabound.hpp>
#include <ctnn/optim/yogi.hpp>
#include <ctnn/optim/lion.hpp>
#include <ctnn/optim/signum.hpp>
#include <ctnn/optim/lars.hpp>
#include <ctnn/optim/lamb.hpp>
#include <ctnn/optim/lookahead.hpp>
#include <ctnn/optim/polyak_average.hpp>
#include <ctnn/optim/ema_average.hpp>
#include <ctnn/optim/clip.hpp>

namespace ctnn::optim {

/// The optimizers (amsgrad, adamw, amsbound, signsgd are the same rules with other defaults).
using all = std::tuple<sgd, adagrad, adagrad_norm, rmsprop, adadelta, adam, adamw, amsgrad, nadam, radam,
                       adabound, amsbound, yogi, lion, signum, signsgd, lars, lamb, lookahead<adam>>;

}  // namespace ctnn::optim
