// ctnn: one training step = ctnn::trainer::step (zero grad, forward, loss, backward, SGD-momentum).
#include <ctnn/ctnn.hpp>

#include "common.hpp"

namespace {

using mlp784 = ctnn::sequential<ctnn::input<784>, ctnn::dense<256>, ctnn::relu, ctnn::dense<256>, ctnn::relu,
                                ctnn::dense<10>>;
using tiny = ctnn::sequential<ctnn::input<64>, ctnn::dense<64>, ctnn::tanh, ctnn::dense<64>, ctnn::tanh,
                              ctnn::dense<1>>;
using deep = ctnn::sequential<ctnn::input<128>, ctnn::repeat<31, ctnn::dense<128>, ctnn::relu>, ctnn::dense<128>>;

template <class Net, class Loss, class Target>
int run(const bench::options& o, const bench::config& c, const bench::data& d, double peak, Loss loss_fn,
        const Target* target) {
  ctnn::model<Net> m{ctnn::seed{1}};
  ctnn::trainer tr{m, loss_fn, ctnn::optim::sgd{.lr = 0.01f, .momentum = 0.9f}};
  float loss = 0;
  const bench::timing t = bench::time_steps(o, [&] { loss = tr.step(d.x.data(), target, c.batch); });
  bench::print_result(o, c, "ctnn", t, peak, o.note, loss);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return bench::main_with(argc, argv, [](const bench::options& o, const bench::config& c, const bench::data& d,
                                         double peak) {
    ctnn::set_num_threads(o.threads);
    const std::string_view name = c.name;
    if (name == "mlp784_b64" || name == "mlp784_b256")
      return run<mlp784>(o, c, d, peak, ctnn::loss::softmax_cross_entropy{}, d.labels.data());
    if (name == "tiny_b32") return run<tiny>(o, c, d, peak, ctnn::loss::mse{}, d.targets.data());
    if (name == "deep_b128") return run<deep>(o, c, d, peak, ctnn::loss::mse{}, d.targets.data());
    return 2;
  });
}
