// PyTorch interop check, with libtorch (C++) standing in for PyTorch:
//  (a) ctnn → torch: a ctnn model is written with ctnn::save; this program parses the safetensors
//      file itself (8-byte little-endian header length, JSON header, raw little-endian data; no
//      ctnn code reads it), copies every tensor by its state_dict name into the equivalent
//      torch::nn::Sequential (named_parameters() and named_buffers(), strict: every file tensor
//      used, every torch tensor found, dtypes and shapes equal) and compares both models' logits
//      on two random batches (32 and 1024 rows) in evaluation mode;
//  (b) torch → ctnn: a torch model (its batch-norm statistics moved by a few training-mode
//      forwards) is written as safetensors by this program's own small writer from its
//      state_dict, read with ctnn::load, and the logits compared again.
// BatchNorm1d's num_batches_tracked: ctnn keeps no such counter. ctnn::save writes it as I64 []
// = 0 so that torch's strict load_state_dict accepts the file; ctnn::load requires it (it is part
// of the state_dict) and drops its value. Here (b) writes it with the value torch counted (3).
// Prints one line per check; exits 1 if any max |Δlogit| exceeds 1e-5, or on any error.
// The ctnn half (models, ctnn::save, ctnn::load, predict) is ctnn_side.cpp; this file includes no ctnn header.
//   ctnn_torch_interop [directory for the .safetensors files, default: the current one]
#include <torch/torch.h>

#include <cstdint>
#include <cstdio>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ctnn_side.hpp"

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

constexpr double tolerance = 1e-5;

// ---- safetensors, read and written without ctnn ----

struct raw_tensor {
  std::string dtype;
  std::vector<std::int64_t> shape;
  std::vector<char> bytes;
};

std::size_t dtype_size(const std::string& d) {
  if (d == "F32") return 4;
  if (d == "F64" || d == "I64") return 8;
  throw std::runtime_error("unsupported dtype " + d);
}

torch::Dtype torch_dtype(const std::string& d) {
  if (d == "F32") return torch::kFloat32;
  if (d == "F64") return torch::kFloat64;
  if (d == "I64") return torch::kInt64;
  throw std::runtime_error("unsupported dtype " + d);
}

std::string st_dtype(torch::Dtype d) {
  if (d == torch::kFloat32) return "F32";
  if (d == torch::kFloat64) return "F64";
  if (d == torch::kInt64) return "I64";
  throw std::runtime_error("unsupported torch dtype");
}

std::map<std::string, raw_tensor> read_safetensors(const fs::path& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error("cannot open " + path.string());
  const std::vector<char> file((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  if (file.size() < 8) throw std::runtime_error(path.string() + ": shorter than the 8-byte header length");
  std::uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = n << 8 | static_cast<unsigned char>(file[static_cast<std::size_t>(i)]);
  if (n > file.size() - 8) throw std::runtime_error(path.string() + ": header length past the end");
  const json header = json::parse(file.begin() + 8, file.begin() + 8 + static_cast<std::ptrdiff_t>(n));
  const std::size_t base = 8 + n, data_size = file.size() - base;
  std::map<std::string, raw_tensor> out;
  for (const auto& [name, info] : header.items()) {
    if (name == "__metadata__") continue;
    raw_tensor t;
    t.dtype = info.at("dtype").get<std::string>();
    t.shape = info.at("shape").get<std::vector<std::int64_t>>();
    const auto off = info.at("data_offsets").get<std::vector<std::uint64_t>>();
    std::uint64_t count = 1;
    for (auto s : t.shape) count *= static_cast<std::uint64_t>(s);
    if (off.size() != 2 || off[0] > off[1] || off[1] > data_size || off[1] - off[0] != count * dtype_size(t.dtype))
      throw std::runtime_error(path.string() + ": bad data_offsets for " + name);
    t.bytes.assign(file.begin() + static_cast<std::ptrdiff_t>(base + off[0]),
                   file.begin() + static_cast<std::ptrdiff_t>(base + off[1]));
    out.emplace(name, std::move(t));
  }
  return out;
}

void write_safetensors(const fs::path& path, const std::vector<std::pair<std::string, torch::Tensor>>& tensors) {
  json header = {{"__metadata__", {{"format", "pt"}}}};
  std::string data;
  for (const auto& [name, t0] : tensors) {
    const torch::Tensor t = t0.detach().cpu().contiguous();
    const std::size_t begin = data.size(), size = static_cast<std::size_t>(t.numel()) * t.element_size();
    data.append(static_cast<const char*>(t.data_ptr()), size);
    header[name] = {{"dtype", st_dtype(t.scalar_type())},
                    {"shape", t.sizes().vec()},
                    {"data_offsets", {begin, begin + size}}};
  }
  std::string h = header.dump();
  h.append((8 - h.size() % 8) % 8, ' ');  // data 8-byte aligned, as the safetensors writer does
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  std::uint64_t n = h.size();
  char len[8];
  for (char& c : len) c = static_cast<char>(n & 0xff), n >>= 8;
  f.write(len, 8);
  f.write(h.data(), static_cast<std::streamsize>(h.size()));
  f.write(data.data(), static_cast<std::streamsize>(data.size()));
  if (!f) throw std::runtime_error("cannot write " + path.string());
}

// ---- torch side ----

/// The state_dict of a module: its parameters, then its buffers, by name.
std::vector<std::pair<std::string, torch::Tensor>> state_dict(const torch::nn::Module& m) {
  std::vector<std::pair<std::string, torch::Tensor>> out;
  for (const auto& p : m.named_parameters()) out.emplace_back(p.key(), p.value());
  for (const auto& b : m.named_buffers()) out.emplace_back(b.key(), b.value());
  return out;
}

/// Copies every tensor of the file into the module's parameters and buffers, strictly.
void load_into(torch::nn::Module& m, const std::map<std::string, raw_tensor>& file) {
  torch::NoGradGuard no_grad;
  std::set<std::string> used;
  for (auto& [name, dst] : state_dict(m)) {
    const auto it = file.find(name);
    if (it == file.end()) throw std::runtime_error("torch tensor '" + name + "' is not in the file");
    const raw_tensor& t = it->second;
    if (torch_dtype(t.dtype) != dst.scalar_type())
      throw std::runtime_error("'" + name + "': file dtype " + t.dtype + ", torch " + st_dtype(dst.scalar_type()));
    if (t.shape != dst.sizes().vec())
      throw std::runtime_error("'" + name + "': file shape " + json(t.shape).dump() + ", torch " +
                               json(dst.sizes().vec()).dump());
    auto src = torch::empty(t.shape, torch::TensorOptions().dtype(torch_dtype(t.dtype)));
    std::memcpy(src.data_ptr(), t.bytes.data(), t.bytes.size());
    dst.copy_(src);
    used.insert(name);
  }
  for (const auto& [name, t] : file)
    if (!used.count(name)) throw std::runtime_error("file tensor '" + name + "' has no torch counterpart");
}

torch::nn::Sequential torch_mlp(bool batch_norm, torch::Dtype dtype) {
  torch::nn::Sequential s;
  s->push_back(torch::nn::Linear(784, 64));
  if (batch_norm) s->push_back(torch::nn::BatchNorm1d(64));  // eps 1e-5, momentum 0.1, as batch_norm<>
  s->push_back(torch::nn::ReLU());
  s->push_back(torch::nn::Linear(64, 10));
  // Not s->to(dtype): libtorch's C++ Module::to(dtype) also converts the int64 num_batches_tracked
  // (Python's converts floating-point tensors only). Convert the floating-point tensors alone.
  torch::NoGradGuard no_grad;
  for (auto& p : s->parameters()) p.set_data(p.to(dtype));
  for (auto& b : s->buffers())
    if (b.is_floating_point()) b.set_data(b.to(dtype));
  return s;
}

// ---- the checks ----

/// Max |a − b| between ctnn's logits and torch's (evaluation mode) over the inputs.
double max_logit_diff(const interop::batches& ctnn_logits, torch::nn::Sequential& t,
                      const std::vector<torch::Tensor>& xs) {
  t->eval();
  torch::NoGradGuard no_grad;
  double worst = 0;
  for (std::size_t k = 0; k < xs.size(); ++k) {
    const torch::Tensor y = t->forward(xs[k]).to(torch::kFloat64).contiguous();
    const auto& c = ctnn_logits.at(k);
    if (static_cast<std::int64_t>(c.size()) != y.numel()) throw std::runtime_error("logit counts differ");
    const double* p = y.data_ptr<double>();
    for (std::size_t i = 0; i < c.size(); ++i) worst = std::max(worst, std::abs(c[i] - p[i]));
  }
  return worst;
}

int failures = 0, checks = 0;

void report(const char* direction, const char* name, double diff) {
  const bool ok = diff <= tolerance;
  failures += !ok;
  ++checks;
  std::printf("%-12s %-46s max |logit diff| = %.3e  %s\n", direction, name, diff, ok ? "ok" : "FAIL (> 1e-5)");
}

void check(interop::net n, const char* name, const char* file_stem, const fs::path& dir,
           const std::vector<torch::Tensor>& xs64, unsigned seed) {
  const bool bn = interop::has_batch_norm(n);
  const torch::Dtype dtype = interop::is_f64(n) ? torch::kFloat64 : torch::kFloat32;
  std::vector<torch::Tensor> xs;  // the inputs in the model's dtype
  interop::batches xv;            // ... and exactly those values for ctnn
  for (const auto& x64 : xs64) {
    xs.push_back(x64.to(dtype).contiguous());
    const torch::Tensor xd = xs.back().to(torch::kFloat64).contiguous();
    xv.emplace_back(xd.data_ptr<double>(), xd.data_ptr<double>() + xd.numel());
  }
  const std::string stem = (dir / file_stem).string();
  {  // (a) ctnn → torch
    const std::string file = stem + ".ctnn.safetensors";
    const auto ctnn_logits = interop::save_ctnn(n, seed, file, xv);
    auto t = torch_mlp(bn, dtype);
    load_into(*t, read_safetensors(file));
    report("ctnn->torch", name, max_logit_diff(ctnn_logits, t, xs));
  }
  {  // (b) torch → ctnn
    torch::manual_seed(seed);
    auto t = torch_mlp(bn, dtype);
    if (bn) {
      torch::NoGradGuard no_grad;
      auto* norm = t->ptr(1)->as<torch::nn::BatchNorm1dImpl>();
      norm->weight.uniform_(0.5, 1.5);
      norm->bias.uniform_(-0.5, 0.5);
      t->train();  // three training-mode forwards move the running statistics; num_batches_tracked = 3
      for (int i = 0; i < 3; ++i) t->forward(torch::randn({32, 784}, torch::TensorOptions().dtype(dtype)) * 2 + 0.3);
    }
    const std::string file = stem + ".torch.safetensors";
    write_safetensors(file, state_dict(*t));
    report("torch->ctnn", name, max_logit_diff(interop::load_ctnn(n, file, xv), t, xs));
  }
}

}  // namespace

int main(int argc, char** argv) try {
  const fs::path dir = argc > 1 ? argv[1] : ".";
  fs::create_directories(dir);
  torch::manual_seed(0);
  // The same two batches for every check: 32 rows, and 1024 ≥ 784 rows, where ctnn folds an
  // evaluation-mode batch_norm into the dense layer before it (W' = a W, b' = a (b − μ) + β).
  const std::vector<torch::Tensor> x = {torch::randn({32, 784}, torch::TensorOptions().dtype(torch::kFloat64)),
                                        torch::randn({1024, 784}, torch::TensorOptions().dtype(torch::kFloat64))};
  using interop::net;
  check(net::mlp, "mlp 784-64-relu-10 (f32)", "mlp", dir, x, 1);
  check(net::bn_layer, "mlp + norm::batch_norm layer (f32)", "bn_layer", dir, x, 2);
  check(net::bn_policy, "mlp + batch_norm as dense's Norm policy (f32)", "bn_policy", dir, x, 3);
  check(net::bn_layer_f64, "mlp + norm::batch_norm layer (f64)", "bn_layer_f64", dir, x, 4);
  std::printf("interop: %d of %d checks over 1e-5\n", failures, checks);
  return failures ? 1 : 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "interop: error: %s\n", e.what());
  return 1;
}
