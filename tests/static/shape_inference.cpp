// Shape inference and the parameter plan, checked at compile time (the build is the test) plus
// the PyTorch-style names, which are strings built at run time.
#include <catch2/catch.hpp>
#include <ctnn/ctnn.hpp>

namespace {

using mlp = ctnn::sequential<ctnn::input<784>, ctnn::dense<256>, ctnn::relu, ctnn::dense<256>, ctnn::relu,
                             ctnn::dense<10>>;
using mlp_model = ctnn::model<mlp>;
static_assert(mlp_model::in_features == 784);
static_assert(mlp_model::out_features == 10);
static_assert(mlp_model::slot_count == 6);
// Slots are padded to 16 elements (64 bytes of float): 784·256 and 256 already are; 10 → 16.
static_assert(mlp_model::parameter_count == 784 * 256 + 256 + 256 * 256 + 256 + 256 * 10 + 16);
static_assert(mlp_model::forward_flops_per_sample == 2 * (784 * 256 + 256 * 256 + 256 * 10));
static_assert(mlp_model::slots[0].rows == 256 && mlp_model::slots[0].cols == 784 && mlp_model::slots[0].rank == 2);
static_assert(mlp_model::slots[0].fan_in == 784 && mlp_model::slots[0].fan_out == 256);
static_assert(mlp_model::slots[5].rank == 1 && mlp_model::slots[5].rows == 10);
static_assert([] {
  for (const auto& s : mlp_model::slots)
    if (s.offset % ctnn::slot_alignment != 0) return false;
  return true;
}());

// repeat writes its layers out in place; dense + activation fuse into one node of two modules.
using deep = ctnn::sequential<ctnn::input<128>, ctnn::repeat<31, ctnn::dense<128>, ctnn::relu>, ctnn::dense<64>>;
static_assert(ctnn::model<deep>::slot_count == 64);
static_assert(ctnn::model<deep>::out_features == 64);
static_assert(ctnn::model<deep>::root::n == 32);    // 32 bound layers
static_assert(ctnn::model<deep>::root::modules == 63);  // as nn.Sequential: 32 Linear + 31 ReLU

// Residual blocks keep their width; their layers count as one module.
using res = ctnn::sequential<ctnn::input<6>, ctnn::dense<8>, ctnn::tanh,
                             ctnn::residual<ctnn::dense<4>, ctnn::relu, ctnn::dense<8>>, ctnn::relu,
                             ctnn::repeat<2, ctnn::residual<ctnn::dense<8>>>, ctnn::flatten, ctnn::dense<2>>;
static_assert(ctnn::model<res>::out_features == 2);
static_assert(ctnn::model<res>::root::modules == 8);  // Linear, Tanh, residual, ReLU, residual, residual, Flatten, Linear
static_assert(ctnn::model<res>::slot_count == 2 + 4 + 2 + 2 + 2);

// Every activation and init policy satisfies its concept; plain types do not.
static_assert([]<class... A>(std::tuple<A...>*) { return (ctnn::Activation<A> && ...); }(
    static_cast<ctnn::all_activations*>(nullptr)));
static_assert([]<class... P>(std::tuple<P...>*) { return (ctnn::InitPolicy<P> && ...); }(
    static_cast<ctnn::init::all*>(nullptr)));
static_assert(!ctnn::InitPolicy<int> && !ctnn::InitPolicy<ctnn::relu>);
static_assert(ctnn::NormPolicy<ctnn::norm::none> && !ctnn::NormPolicy<ctnn::init::zeros>);
static_assert([]<class... N>(std::tuple<N...>*) { return (ctnn::NormLayer<N> && ...); }(
    static_cast<ctnn::norm::all*>(nullptr)));
static_assert(!ctnn::NormLayer<ctnn::norm::none>);
static_assert(ctnn::WeightReparametrization<ctnn::norm::weight_norm> &&
              ctnn::WeightReparametrization<ctnn::norm::spectral_norm> &&
              !ctnn::WeightReparametrization<ctnn::norm::batch_norm<>> && !ctnn::NormLayer<ctnn::norm::weight_norm>);
// dense<Out, Init, Norm> is Linear, Norm (two modules), then the activation (a third).
using bn_mlp = ctnn::sequential<ctnn::input<8>, ctnn::dense<16, ctnn::init::kaiming_normal<>, ctnn::norm::batch_norm<>>,
                                ctnn::relu, ctnn::dense<4>>;
static_assert(ctnn::model<bn_mlp>::root::modules == 4 && ctnn::model<bn_mlp>::root::n == 4);
static_assert(ctnn::model<bn_mlp>::buffer_slot_count == 2 && ctnn::model<bn_mlp>::slot_count == 6);
static_assert(ctnn::model<mlp_model::network>::buffer_count == 0);
static_assert(ctnn::Optimizer<ctnn::optim::sgd>);
static_assert(ctnn::Loss<ctnn::loss::softmax_cross_entropy> && ctnn::Loss<ctnn::loss::mse>);

}  // namespace

TEST_CASE("parameters are named as PyTorch's nn.Sequential names them", "[static]") {
  CHECK(mlp_model::parameter_names() ==
        std::vector<std::string>{"0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"});
  CHECK(ctnn::model<res>::parameter_names() ==
        std::vector<std::string>{"0.weight", "0.bias", "2.0.weight", "2.0.bias", "2.2.weight", "2.2.bias",
                                 "4.0.weight", "4.0.bias", "5.0.weight", "5.0.bias", "7.weight", "7.bias"});
  const auto names = ctnn::model<deep>::parameter_names();
  CHECK(names[2] == "2.weight");
  CHECK(names.back() == "62.bias");
}

TEST_CASE("parameters are reachable by name as views into the arena", "[static]") {
  mlp_model m{ctnn::seed{3}};
  auto w = m.parameter("2.weight");
  REQUIRE(w.shape().size() == 2);
  CHECK(w.shape()[0] == 256);
  CHECK(w.shape()[1] == 256);
  w(1, 2) = 42.0f;
  CHECK(m.parameters()[mlp_model::slots[2].offset + 1 * 256 + 2] == 42.0f);
  CHECK(m.parameter("4.bias").shape()[0] == 10);
  CHECK_THROWS_WITH(m.parameter("9.weight"), Catch::Contains("no parameter named '9.weight'") &&
                                                 Catch::Contains("0.weight, 0.bias"));
  CHECK(reinterpret_cast<std::uintptr_t>(m.parameters().data()) % 64 == 0);
}

TEST_CASE("a width only known at run time is a clear error naming both widths", "[static]") {
  mlp_model m;
  xt::xtensor<float, 2> x = xt::zeros<float>({3, 748});
  CHECK_THROWS_WITH(m.predict(x), Catch::Contains("748 features") && Catch::Contains("input<784>"));
  xt::xtensor<float, 2> ok = xt::zeros<float>({3, 784});
  CHECK(m.predict(ok).shape()[1] == 10);
}

TEST_CASE("the same seed gives the same weights; another seed does not", "[static]") {
  mlp_model a{ctnn::seed{5}}, b{ctnn::seed{5}}, c{ctnn::seed{6}};
  CHECK(std::equal(a.parameters().begin(), a.parameters().end(), b.parameters().begin()));
  CHECK(!std::equal(a.parameters().begin(), a.parameters().end(), c.parameters().begin()));
}
