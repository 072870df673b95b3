#pragma once
// network_signature<Model>(): a stable, readable description of a model's type, stored in a
// checkpoint's metadata: the input width, each top-level module as the layers describe
// themselves, then every parameter tensor with its shape, and the scalar type:
//   "input<64> | dense<96> (Linear 64→96 + ReLU) | residual block (96 features) | dense<10> (Linear 96→10)
//    | 0.weight [96, 64], 0.bias [96], ... | float"
// It depends only on the network type, never on the compiler (no typeid, no mangled names).
#include <cstddef>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <fmt/format.h>

namespace ctnn::io {

template <class Model>
std::string network_signature() {
  using root = typename Model::root;
  std::string s = fmt::format("input<{}>", Model::in_features);
  [&]<std::size_t... K>(std::index_sequence<K...>) {
    ((s += " | " + root::template child<K>::describe()), ...);
  }(std::make_index_sequence<std::tuple_size_v<typename root::children>>{});
  s += " |";
  for (std::size_t i = 0; i < Model::slots.size(); ++i) {
    const auto& d = Model::slots[i];
    s += fmt::format("{} {} [{}]", i ? "," : "", d.name(), fmt::join(d.dims(), ", "));
  }
  s += std::is_same_v<typename Model::scalar, float> ? " | float" : " | double";
  return s;
}

}  // namespace ctnn::io
