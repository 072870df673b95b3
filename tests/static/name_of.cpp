// ctnn::name_of<T>(): the names an experiment grid prints for its policy types. Every shipped
// optimizer, schedule, init and norm policy has one, distinct within its family; template
// arguments show where they differ from the defaults; a type without a name gets the compiler's.
#include <catch2/catch.hpp>
#include <ratio>
#include <set>
#include <string>
#include <tuple>
#include <ctnn/ctnn.hpp>

namespace {

namespace init = ctnn::init;
namespace norm = ctnn::norm;
namespace optim = ctnn::optim;
namespace sched = ctnn::sched;

template <class List>
std::vector<std::string> names() {
  std::vector<std::string> out;
  ctnn::for_each_type<List>([&]<class T>() { out.push_back(ctnn::name_of<T>()); });
  return out;
}

struct my_policy {};
struct has_name_field {  // a non-static member called name: not a name of the type
  std::string name;
};
struct my_adam : ctnn::optim::adam {
  static constexpr std::string_view name = "my_adam";
};

}  // namespace

TEST_CASE("name_of names every shipped policy", "[static][name_of]") {
  using Catch::Matchers::Equals;
  CHECK_THAT(names<optim::all>(),
             Equals(std::vector<std::string>{"sgd", "adagrad", "adagrad_norm", "rmsprop", "adadelta", "adam", "adamw",
                                             "amsgrad", "nadam", "radam", "adabound", "amsbound", "yogi", "lion",
                                             "signum", "signsgd", "lars", "lamb", "lookahead(adam)"}));
  CHECK_THAT(names<sched::all>(),
             Equals(std::vector<std::string>{"constant", "step", "multistep", "exponential", "cosine", "sgdr",
                                             "warmup(cosine)", "cyclical", "one_cycle", "inverse_sqrt",
                                             "reduce_on_plateau"}));
  CHECK_THAT(names<init::all>(),
             Equals(std::vector<std::string>{"zeros", "constant(0.5)", "normal(0.01)", "uniform(0.05)", "lecun_normal",
                                             "lecun_uniform", "xavier_normal", "xavier_uniform", "kaiming_normal",
                                             "kaiming_uniform", "orthogonal", "identity", "critical(1)",
                                             "with_bias(xavier_uniform, constant(0.1))"}));
  CHECK_THAT(names<norm::all>(), Equals(std::vector<std::string>{"batch_norm", "layer_norm", "rms_norm", "group_norm(2)"}));
  CHECK_THAT(names<norm::all_weight>(), Equals(std::vector<std::string>{"weight_norm", "spectral_norm"}));
  CHECK(ctnn::name_of<norm::none>() == "none");
  CHECK(ctnn::name_of<optim::polyak_average>() == "polyak_average");
  CHECK(ctnn::name_of<optim::ema_average>() == "ema_average");
  CHECK(ctnn::name_of<init::delta_orthogonal<>>() == "delta_orthogonal");
  CHECK(ctnn::name_of<init::lsuv<>>() == "lsuv");
}

TEST_CASE("name_of shows the template arguments that differ from the defaults", "[static][name_of]") {
  CHECK(ctnn::name_of<init::kaiming_normal<init::gain::tanh>>() == "kaiming_normal(gain=tanh)");
  CHECK(ctnn::name_of<init::kaiming_uniform<init::gain::relu, init::fan_mode::out>>() == "kaiming_uniform(mode=fan_out)");
  CHECK(ctnn::name_of<init::kaiming_normal<init::gain::leaky_relu<std::ratio<1, 5>>, init::fan_mode::out>>() ==
        "kaiming_normal(gain=leaky_relu(slope=0.2), mode=fan_out)");
  CHECK(ctnn::name_of<init::kaiming_normal<init::gain::leaky_relu<>>>() == "kaiming_normal(gain=leaky_relu)");
  CHECK(ctnn::name_of<init::xavier_uniform<init::gain::tanh>>() == "xavier_uniform(gain=tanh)");
  CHECK(ctnn::name_of<init::normal<0.02, 1.0>>() == "normal(0.02, mean=1)");
  CHECK(ctnn::name_of<init::critical<1.5, 0.1>>() == "critical(1.5, sigma_b=0.1)");
  CHECK(ctnn::name_of<init::orthogonal<1.4142135623730951>>() == "orthogonal(gain=1.4142135623730951)");
  CHECK(ctnn::name_of<init::lsuv<0.05, 20>>() == "lsuv(tol=0.05, max_iter=20)");
  CHECK(ctnn::name_of<norm::batch_norm<0.01>>() == "batch_norm(momentum=0.01)");
  CHECK(ctnn::name_of<norm::group_norm<4, 1e-3>>() == "group_norm(4, eps=0.001)");
  CHECK(ctnn::name_of<norm::layer_norm<1e-6>>() == "layer_norm(eps=1e-06)");
  CHECK(ctnn::name_of<optim::lookahead<optim::sgd>>() == "lookahead(sgd)");
  CHECK(ctnn::name_of<sched::warmup<sched::warmup<sched::step>>>() == "warmup(warmup(step))");
}

TEST_CASE("name_of falls back to the compiler's spelling of a type without a name", "[static][name_of]") {
  const std::string n = ctnn::name_of<my_policy>();
  CHECK(n.find("my_policy") != std::string::npos);
  CHECK(ctnn::name_of<int>() == "int");
  CHECK(ctnn::name_of<int[3]>() == "int [3]");
  CHECK(ctnn::name_of<has_name_field>().find("has_name_field") != std::string::npos);
  CHECK(ctnn::name_of<my_adam>() == "my_adam");  // a derived policy that names itself
}
