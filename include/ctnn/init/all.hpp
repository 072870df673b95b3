#pragma once
// Every init policy ctnn ships; tests and docs iterate over ctnn::init::all.
#include <tuple>
#include <ctnn/init/concepts.hpp>
#include <ctnn/init/kaiming_normal.hpp>
#include <ctnn/init/xavier_uniform.hpp>
#include <ctnn/init/zeros.hpp>

namespace ctnn::init {

using all = std::tuple<kaiming_normal<>, xavier_uniform<>, zeros>;

}  // namespace ctnn::init
