// libtorch peer: nn::Sequential of Linear / ReLU / Tanh, torch::optim::SGD(lr 0.01, momentum 0.9),
// the standard loop: zero_grad, forward, loss, backward, step.
// Threads: at::set_num_threads(t), and OpenBLAS's own count (libtorch does not set it) through
// openblas_set_num_threads looked up at run time. OpenBLAS build (pthread / OpenMP) is picked per
// process by LD_LIBRARY_PATH, malloc thresholds by --mallopt; see run.sh.
#include <dlfcn.h>
#include <torch/torch.h>

#include "common.hpp"

namespace {

std::string openblas_setup(int threads) {
  auto set = reinterpret_cast<void (*)(int)>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
  auto par = reinterpret_cast<int (*)()>(dlsym(RTLD_DEFAULT, "openblas_get_parallel"));
  auto core = reinterpret_cast<char* (*)()>(dlsym(RTLD_DEFAULT, "openblas_get_corename"));
  if (set) set(threads);
  if (!par) return "openblas=absent";
  std::string s;
  switch (par()) {
    case 0: s = "openblas=sequential"; break;
    case 1: s = "openblas=pthread"; break;
    case 2: s = "openblas=openmp"; break;
    default: s = "openblas=unknown"; break;
  }
  if (core) s += std::string(",core=") + core();
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  return bench::main_with(argc, argv, [](const bench::options& o, const bench::config& c, const bench::data& d,
                                         double peak) {
    at::set_num_threads(o.threads);
    std::string note = openblas_setup(o.threads);
    note += o.mallopt ? ",mallopt=on" : ",mallopt=off";
    if (!o.note.empty()) note += "," + o.note;
    torch::manual_seed(1);

    torch::nn::Sequential net;
    const int L = int(c.widths.size()) - 1;
    for (int l = 0; l < L; ++l) {
      net->push_back(torch::nn::Linear(c.widths[l], c.widths[l + 1]));
      if (l + 1 < L) {
        if (c.activation == bench::act::relu) net->push_back(torch::nn::ReLU());
        else net->push_back(torch::nn::Tanh());
      }
    }
    torch::optim::SGD opt(net->parameters(), torch::optim::SGDOptions(0.01).momentum(0.9));

    const auto B = c.batch;
    torch::Tensor x = torch::from_blob(const_cast<float*>(d.x.data()), {B, c.widths.front()}).clone();
    torch::Tensor target;
    if (c.loss == bench::loss_kind::softmax_ce)
      target = torch::from_blob(const_cast<std::int32_t*>(d.labels.data()), {B}, torch::kInt32).to(torch::kInt64);
    else
      target = torch::from_blob(const_cast<float*>(d.targets.data()), {B, c.widths.back()}).clone();

    float last = 0;
    auto step = [&] {
      opt.zero_grad();
      torch::Tensor y = net->forward(x);
      torch::Tensor loss = c.loss == bench::loss_kind::softmax_ce ? torch::nn::functional::cross_entropy(y, target)
                                                                   : torch::mse_loss(y, target);
      loss.backward();
      opt.step();
      return loss;
    };
    torch::Tensor lt;
    const bench::timing t = bench::time_steps(o, [&] { lt = step(); });
    last = lt.item<float>();
    bench::print_result(o, c, "libtorch", t, peak, note, last);
    return 0;
  });
}
