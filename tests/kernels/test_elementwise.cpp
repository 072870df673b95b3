#include "kernel_check.hpp"
#include <ctnn/kernels/add.hpp>

using namespace kcheck;

namespace {

template <class Act, class S>
void check_elementwise(std::size_t n) {
  const auto x = random_vec<S>(n, 31 + n, S(-4), S(4));
  auto saved = random_vec<S>(n, 32 + n, S(-2), S(2));
  if constexpr (Act::derivative_from_output) {
    for (auto& s : saved) s = Act::forward(s);
  }
  const auto dy = random_vec<S>(n, 33 + n);
  std::vector<S> y(n), yr(n), dz(n), dzr(n);
  ctnn::kernels::activation_forward<Act>(x.data(), y.data(), n);
  ctnn::kernels::ref::activation_forward<Act>(x.data(), yr.data(), n);
  ctnn::kernels::activation_backward<Act>(dy.data(), saved.data(), dz.data(), n);
  ctnn::kernels::ref::activation_backward<Act>(dy.data(), saved.data(), dzr.data(), n);
  // Vector vs scalar evaluation of the same function: 16 ulps of the result, plus act_tol for
  // cancellations (see kernel_check.hpp).
  std::size_t bad = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (!close(y[i], yr[i], tol<S>(0, 0, yr[i]) + act_tol(x[i]))) ++bad;
    if (!close(dz[i], dzr[i], tol<S>(0, 0, dzr[i]) + std::abs(dy[i]) * act_tol(saved[i]))) ++bad;
  }
  INFO("activation " << Act::torch_name << " " << name<S>() << " n " << n);
  CHECK(bad == 0);
}

}  // namespace

TEST_CASE("activation_forward / activation_backward match the scalar references", "[kernels][elementwise]") {
  for (std::size_t n : {0, 1, 3, 7, 15, 16, 17, 33, 100, 257})
    for_each_activation([&]<class Act>() {
      check_elementwise<Act, float>(n);
      check_elementwise<Act, double>(n);
    });
}

namespace {

template <class S>
void check_add(std::size_t n) {
  const auto a = random_vec<S>(n, 41 + n), b = random_vec<S>(n, 42 + n);
  std::vector<S> out(n, S(7)), ref(n), in_place = a;
  ctnn::kernels::add(a.data(), b.data(), out.data(), n);
  ctnn::kernels::ref::add(a.data(), b.data(), ref.data(), n);
  ctnn::kernels::add(in_place.data(), b.data(), in_place.data(), n);  // out aliasing a
  INFO("add " << name<S>() << " n " << n);
  CHECK(out == ref);  // one rounding per element either way: bitwise
  CHECK(in_place == ref);
}

}  // namespace

TEST_CASE("add (the residual connection) matches the scalar reference, also in place", "[kernels][elementwise]") {
  for (std::size_t n : {0, 1, 3, 7, 15, 16, 17, 33, 100, 257}) {
    check_add<float>(n);
    check_add<double>(n);
  }
}
