#pragma once
// value_and_grad(m, loss, x, y): the loss on (x, y) and its gradient with respect to every
// parameter, xtensor in and out. The gradient is returned in the arena's layout (flat, with slot
// padding, which is always zero) and is also left in m's gradient arena, reachable by name with
// m.gradient("0.weight").
#include <cstddef>
#include <fmt/format.h>
#include <ctnn/core/error.hpp>
#include <ctnn/core/model.hpp>
#include <ctnn/core/xtensor.hpp>

namespace ctnn {

template <class S>
struct value_and_gradient {
  S value;
  xt::xtensor<S, 1> gradient;
};

template <class Net, class S, class LossFn, class EX, class EY>
value_and_gradient<S> value_and_grad(model<Net, S>& m, const LossFn&, const xt::xexpression<EX>& x_expr,
                                     const xt::xexpression<EY>& y_expr) {
  using model_type = model<Net, S>;
  using target_type = typename LossFn::template target<S>;
  const auto& xe = x_expr.derived_cast();
  model_type::check_input(xe);
  const std::size_t batch = xe.shape()[0];
  xt::xtensor<S, 2> x = xe;
  xt::xarray<target_type> t = y_expr.derived_cast();
  const std::size_t per_sample = t.dimension() == 1 ? 1 : t.size() / std::max<std::size_t>(1, t.shape()[0]);
  if (t.dimension() == 0 || t.shape()[0] != batch)
    throw error(fmt::format("ctnn::value_and_grad: {} inputs but {} targets", batch,
                            t.dimension() ? t.shape()[0] : 0));
  const std::size_t expected = std::is_integral_v<target_type> ? 1 : model_type::out_features;
  if (per_sample != expected)
    throw error(fmt::format("ctnn::value_and_grad: each target has {} values; the loss needs {}",
                            per_sample, expected));
  LossFn::check_targets(t.data(), batch, model_type::out_features);
  const S* y = m.forward(x.data(), batch);
  S* dy = m.output_gradient();
  const S value = LossFn::value_and_grad(y, t.data(), batch, model_type::out_features, dy);
  m.backward(dy, false);
  auto g = m.gradients();
  xt::xtensor<S, 1> grad = xt::adapt(g.data(), g.size(), xt::no_ownership(), std::vector<std::size_t>{g.size()});
  return {value, std::move(grad)};
}

}  // namespace ctnn
