#pragma once
// Every init policy ctnn ships; tests and docs iterate over ctnn::init::all.
#include <tuple>
#include <ctnn/init/concepts.hpp>
#include <ctnn/init/constant.hpp>
#include <ctnn/init/critical.hpp>
#include <ctnn/init/delta_orthogonal.hpp>
#include <ctnn/init/fixup.hpp>
#include <ctnn/init/identity.hpp>
#include <ctnn/init/kaiming_normal.hpp>
#include <ctnn/init/kaiming_uniform.hpp>
#include <ctnn/init/lecun_normal.hpp>
#include <ctnn/init/lecun_uniform.hpp>
#include <ctnn/init/lsuv.hpp>
#include <ctnn/init/normal.hpp>
#include <ctnn/init/orthogonal.hpp>
#include <ctnn/init/uniform.hpp>
#include <ctnn/init/with_bias.hpp>
#include <ctnn/init/xavier_normal.hpp>
#include <ctnn/init/xavier_uniform.hpp>
#include <ctnn/init/zeros.hpp>

namespace ctnn::init {

using all = std::tuple<zeros, constant<0.5>, normal<0.01>, uniform<0.05>, lecun_normal, lecun_uniform,
                       xavier_normal<>, xavier_uniform<>, kaiming_normal<>, kaiming_uniform<>, orthogonal<>,
                       identity, critical<1.0, 0.0>, with_bias<xavier_uniform<>, constant<0.1>>>;

}  // namespace ctnn::init
