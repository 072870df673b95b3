#pragma once
// Every schedule, and the list that tests and docs iterate over.
#include <tuple>
#include <ctnn/sched/concepts.hpp>
#include <ctnn/sched/constant.hpp>
#include <ctnn/sched/step.hpp>
#include <ctnn/sched/multistep.hpp>
#include <ctnn/sched/exponential.hpp>
#include <ctnn/sched/cosine.hpp>
#include <ctnn/sched/sgdr.hpp>
#include <ctnn/sched/warmup.hpp>
#include <ctnn/sched/cyclical.hpp>
#include <ctnn/sched/one_cycle.hpp>
#include <ctnn/sched/inverse_sqrt.hpp>
#include <ctnn/sched/reduce_on_plateau.hpp>

namespace ctnn::sched {

using all = std::tuple<constant, step, multistep, exponential, cosine, sgdr, warmup<cosine>, cyclical, one_cycle,
                       inverse_sqrt, reduce_on_plateau>;

}  // namespace ctnn::sched
