#pragma once
// value_and_grad(m, loss, x, y): the loss on (x, y) and its gradient with respect to every
// parameter, xtensor in and out. The gradient is returned in the arena's layout (flat, with slot
// padding, which is always zero) and is also left in m's gradient arena, reachable by name with
// m.gradient("0.weight").
// It runs in the model's current mode: in training mode a batch-norm layer uses the batch's
// statistics (and updates its running ones); in evaluation mode the gradient goes through the
// running statistics.
#include <algorithm>
#include <cstddef>
#include <string>
#include <type_traits>
#include <utility>
#include <fmt/format.h>
#include <ctnn/core/error.hpp>
#include <ctnn/core/model.hpp>
#include <ctnn/core/xtensor.hpp>
#include <ctnn/loss/concepts.hpp>

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
  using given_type = typename std::decay_t<EY>::value_type;
  // Each mismatch is a static_assert inside these (one error each, no second one here).
  [[maybe_unused]] constexpr bool targets_ok = loss::targets_fit<LossFn, given_type>;
  [[maybe_unused]] constexpr bool outputs_ok = loss::outputs_fit<LossFn, model_type::out_features>();
  const auto& xe = x_expr.derived_cast();
  model_type::check_input(xe);
  const std::size_t batch = xe.shape()[0];
  if (batch == 0) throw error("ctnn::value_and_grad: the batch is empty");
  // Row-major copy as predict makes it: a [batch, C, H, W] tensor is read as NCHW rows (assigning it
  // to a 2-D tensor wrote its 4-long shape into a 2-long one).
  xt::xtensor<S, 2> x = xt::empty<S>({batch, model_type::in_features});
  std::copy(xe.begin(), xe.end(), x.begin());
  xt::xarray<target_type> t = y_expr.derived_cast();
  // Labels: [batch]. Regression targets: [batch, out] ([batch] too when out is 1).
  const bool labels = std::is_integral_v<target_type>;
  const bool shape_ok = labels ? (t.dimension() == 1 && t.shape()[0] == batch)
                               : ((t.dimension() == 2 && t.shape()[0] == batch && t.shape()[1] == model_type::out_features) ||
                                  (t.dimension() == 1 && model_type::out_features == 1 && t.shape()[0] == batch));
  if (!shape_ok) {
    std::string got;
    for (std::size_t d = 0; d < t.dimension(); ++d) got += (d ? ", " : "") + std::to_string(t.shape()[d]);
    throw error(labels ? fmt::format("ctnn::value_and_grad: expected {} labels (shape [{}]), got shape [{}]", batch, batch, got)
                       : fmt::format("ctnn::value_and_grad: expected targets of shape [{}, {}], got [{}]", batch,
                                     model_type::out_features, got));
  }
  if constexpr (loss::is_label_integer<target_type> && loss::is_label_integer<given_type> &&
                !std::is_same_v<given_type, target_type>) {
    // Labels of another integer type are checked before they are narrowed to the loss's: an
    // int64 label 2^32 + 1 would otherwise become a valid 1.
    std::size_t i = 0;
    for (const auto label : y_expr.derived_cast()) {
      if (std::cmp_less(label, 0) || std::cmp_greater_equal(label, model_type::out_features))
        throw error(fmt::format("ctnn::value_and_grad: label {} of sample {} is outside [0, {}) (the network has {} "
                                "outputs)",
                                label, i, model_type::out_features, model_type::out_features));
      ++i;
    }
  }
  LossFn::check_targets(t.data(), batch, model_type::out_features);
  const S* y = m.forward(x.data(), batch);
  S* dy = m.output_gradient();
  const S value = LossFn::value_and_grad(y, t.data(), batch, model_type::out_features, dy);
  m.backward(dy, false);
  m.detach_input();  // x is ours and goes away on return
  auto g = m.gradients();
  xt::xtensor<S, 1> grad = xt::adapt(g.data(), g.size(), xt::no_ownership(), std::vector<std::size_t>{g.size()});
  return {value, std::move(grad)};
}

}  // namespace ctnn
