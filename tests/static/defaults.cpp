// Network-wide default policies: ctnn::with_defaults<Net, Init, Norm> sets the Init and Norm of
// every dense layer that leaves them out (at any depth); a layer that spells its own keeps it;
// without with_defaults, dense<Out> is kaiming_normal<> and norm::none as before.
#include <catch2/catch.hpp>
#include <cmath>
#include <type_traits>
#include <vector>
#include <string>
#include <ctnn/ctnn.hpp>

namespace {

namespace init = ctnn::init;
namespace norm = ctnn::norm;
using ctnn::detail::dense_node;

template <class Node> struct init_of { using type = void; };
template <std::size_t In, std::size_t Out, class Act, class I, class N, std::size_t M>
struct init_of<dense_node<In, Out, Act, I, N, M>> { using type = I; };
template <class Node> using init_of_t = typename init_of<Node>::type;

template <class M, std::size_t K> using top = typename M::root::template child<K>;

// ---- no defaults: the library's ----
using plain = ctnn::sequential<ctnn::input<8>, ctnn::dense<16>, ctnn::relu, ctnn::dense<4>>;
static_assert(std::is_same_v<ctnn::dense<16>, ctnn::dense<16, init::net_default, norm::net_default>>);
static_assert(std::is_same_v<top<ctnn::model<plain>, 0>, dense_node<8, 16, ctnn::relu, init::kaiming_normal<>, norm::none, 2>>);
static_assert(std::is_same_v<top<ctnn::model<plain>, 1>, dense_node<16, 4, ctnn::identity, init::kaiming_normal<>, norm::none, 1>>);

// ---- with defaults; overrides kept; repeat and residual reached ----
using net = ctnn::sequential<ctnn::input<8>, ctnn::dense<16>, ctnn::relu,
                             ctnn::dense<16, init::orthogonal<>>, ctnn::tanh,                       // own Init
                             ctnn::residual<ctnn::dense<16>, ctnn::relu, ctnn::dense<16, init::zeros>>,
                             ctnn::repeat<2, ctnn::dense<16>, ctnn::relu>,
                             ctnn::dense<16, init::kaiming_normal<>, norm::none>,                  // spelled library default
                             ctnn::dense<4>>;
using xav = ctnn::model<ctnn::with_defaults<net, init::xavier_uniform<>>>;
static_assert(xav::root::n == 7);
static_assert(std::is_same_v<top<xav, 0>, dense_node<8, 16, ctnn::relu, init::xavier_uniform<>, norm::none, 2>>);
static_assert(std::is_same_v<init_of_t<top<xav, 1>>, init::orthogonal<>>);
using body = typename top<xav, 2>::body_type;
static_assert(std::is_same_v<init_of_t<typename body::template child<0>>, init::xavier_uniform<>>);
static_assert(std::is_same_v<init_of_t<typename body::template child<1>>, init::zeros>);
static_assert(std::is_same_v<init_of_t<top<xav, 3>>, init::xavier_uniform<>>);
static_assert(std::is_same_v<init_of_t<top<xav, 4>>, init::xavier_uniform<>>);
static_assert(std::is_same_v<init_of_t<top<xav, 5>>, init::kaiming_normal<>>);  // spelled: kept
static_assert(std::is_same_v<init_of_t<top<xav, 6>>, init::xavier_uniform<>>);
// The same network without with_defaults: the unspecified layers are kaiming_normal<>.
static_assert(std::is_same_v<init_of_t<top<ctnn::model<net>, 0>>, init::kaiming_normal<>>);
static_assert(std::is_same_v<init_of_t<top<ctnn::model<net>, 1>>, init::orthogonal<>>);

// ---- a default Norm: a norm layer is written after each dense that does not choose its own ----
using normed = ctnn::sequential<ctnn::input<8>, ctnn::dense<16>, ctnn::relu, ctnn::dense<16, init::zeros, norm::none>,
                                ctnn::dense<4, init::net_default, norm::rms_norm<>>>;
using ln = ctnn::model<ctnn::with_defaults<normed, init::lecun_normal, norm::layer_norm<>>>;
static_assert(ln::root::n == 6);  // dense, layer_norm, relu, dense (norm::none: its own), dense, rms_norm (its own)
static_assert(std::is_same_v<top<ln, 0>, dense_node<8, 16, ctnn::identity, init::lecun_normal, norm::none, 1>>);
static_assert(std::is_same_v<top<ln, 1>, norm::layer_norm<>::node<16>>);
static_assert(std::is_same_v<top<ln, 3>, dense_node<16, 16, ctnn::identity, init::zeros, norm::none, 1>>);
static_assert(std::is_same_v<top<ln, 4>, dense_node<16, 4, ctnn::identity, init::lecun_normal, norm::none, 1>>);
static_assert(std::is_same_v<top<ln, 5>, norm::rms_norm<>::node<4>>);
// A weight reparametrization as the default binds its own dense node.
using wn = ctnn::model<ctnn::with_defaults<plain, init::xavier_normal<>, norm::weight_norm>>;
static_assert(std::is_same_v<top<wn, 0>, norm::weight_norm::dense_node<8, 16, ctnn::relu, init::xavier_normal<>, 2>>);

}  // namespace

TEST_CASE("with_defaults: the default init's statistics, and the same weights as spelling it out", "[static][defaults]") {
  using wide = ctnn::sequential<ctnn::input<1024>, ctnn::dense<512>, ctnn::relu, ctnn::dense<256, init::zeros>>;
  using spelled = ctnn::sequential<ctnn::input<1024>, ctnn::dense<512, init::xavier_uniform<>>, ctnn::relu,
                                   ctnn::dense<256, init::zeros>>;
  ctnn::model<ctnn::with_defaults<wide, init::xavier_uniform<>>, double> m{ctnn::seed{5}};
  ctnn::model<spelled, double> s{ctnn::seed{5}};
  REQUIRE(std::equal(m.parameters().begin(), m.parameters().end(), s.parameters().begin()));

  // Sample moments of 0.weight against xavier_uniform's: variance 2/(fan_in+fan_out), kurtosis 9/5.
  // Bounds: 5 standard errors (σ/√n for the mean, σ²·√((κ−1)/n) for the variance).
  auto w = m.parameter("0.weight");
  const double n = static_cast<double>(w.size());
  double mean = 0, var = 0;
  for (double v : w) mean += v;
  mean /= n;
  for (double v : w) var += (v - mean) * (v - mean);
  var /= n - 1;
  const double want = 2.0 / (1024 + 512);
  INFO("variance " << var << ", want " << want);
  CHECK(std::abs(mean) <= 5 * std::sqrt(want / n));
  CHECK(std::abs(var - want) <= 5 * want * std::sqrt(0.8 / n));
  // ... and not the library default's (kaiming_normal: 2/fan_in, 50% more).
  CHECK(std::abs(var - 2.0 / 1024) > 5 * want * std::sqrt(0.8 / n));
  // The layer that chose zeros kept it.
  auto w1 = m.parameter("2.weight");
  CHECK(std::all_of(w1.begin(), w1.end(), [](double v) { return v == 0; }));

  // Without with_defaults: kaiming_normal<> (variance 2/fan_in, kurtosis 3), as before.
  ctnn::model<wide, double> k{ctnn::seed{5}};
  auto wk = k.parameter("0.weight");
  double mk = 0, vk = 0;
  for (double v : wk) mk += v;
  mk /= n;
  for (double v : wk) vk += (v - mk) * (v - mk);
  vk /= n - 1;
  CHECK(std::abs(vk - 2.0 / 1024) <= 5 * (2.0 / 1024) * std::sqrt(2.0 / n));
}

// for_each_type: each type of the list once, in order, usable at compile time.
namespace {
constexpr int digits_of_list() {
  int digits = 0;
  ctnn::for_each_type<std::tuple<std::integral_constant<int, 3>, std::integral_constant<int, 1>,
                                 std::integral_constant<int, 4>>>([&]<class T>() { digits = digits * 10 + T::value; });
  return digits;
}
static_assert(digits_of_list() == 314);
}  // namespace

TEST_CASE("for_each_type walks a grid of types in order", "[static]") {
  std::vector<std::string> cells;
  ctnn::for_each_type<std::tuple<init::xavier_uniform<>, init::kaiming_normal<>>>([&]<class Init>() {
    ctnn::for_each_type<std::tuple<norm::none, norm::layer_norm<>>>([&]<class Norm>() {
      using net = ctnn::with_defaults<ctnn::sequential<ctnn::input<3>, ctnn::dense<4>>, Init, Norm>;
      ctnn::model<net> m;
      cells.push_back((std::is_same_v<Init, init::xavier_uniform<>> ? "x" : "k") + std::to_string(m.parameter_names().size()));
    });
  });
  CHECK(cells == std::vector<std::string>{"x2", "x4", "k2", "k4"});
}
