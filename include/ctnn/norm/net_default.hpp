#pragma once
// norm::net_default: the Norm a dense layer gets when it names none. It resolves to the Norm of
// ctnn::with_defaults<Net, Init, Norm> when the network is wrapped in one, else to norm::none.
// graph/compile.hpp resolves it before binding; no bound node carries this tag.
#include <string_view>

namespace ctnn::norm {

struct net_default {
  static constexpr std::string_view name = "net_default";
  static constexpr bool is_norm_policy = true;
  static constexpr bool is_net_default = true;
};

}  // namespace ctnn::norm
