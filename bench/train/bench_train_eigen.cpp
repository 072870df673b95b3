// eigen_openblas peer: a hand-written training step.
// GEMMs through cblas_sgemm (OpenBLAS, openblas_set_num_threads(t)); bias, activation, loss and the
// SGD-momentum update through Eigen maps over preallocated buffers, split over the same t threads
// with OpenMP where the work is large enough to gain (rows of the activations, columns for the bias
// gradient, halves of the parameter arena; the loss stays serial: B·O values). The first layer's
// input gradient is not computed; gradients are written (beta = 0), so no separate zeroing pass.
// The OpenBLAS build (pthread / OpenMP) is picked per process by LD_LIBRARY_PATH; see run.sh.
#define EIGEN_DONT_PARALLELIZE
#include <cblas.h>

#include <Eigen/Core>
#include <cmath>
#include <omp.h>

#include "common.hpp"

namespace {

using mat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using map = Eigen::Map<mat>;
using cmap = Eigen::Map<const mat>;
using rvec = Eigen::Map<Eigen::Matrix<float, 1, Eigen::Dynamic>>;
using flat = Eigen::Map<Eigen::ArrayXf>;

/// f(first, count) on `threads` contiguous chunks of [0, n), in parallel when threads > 1 and the
/// n·per_item values are many enough (≥ 64K; measured on the 2-core VM: at 16K, the 128-wide layers
/// at batch 128, the step was 5-8 % slower than serial, at 64K (256 × 256) 2-4 % faster).
template <class F>
void in_chunks(int threads, Eigen::Index n, Eigen::Index per_item, F&& f) {
  if (threads <= 1 || n * per_item < (Eigen::Index{1} << 16)) {
    f(Eigen::Index{0}, n);
    return;
  }
#pragma omp parallel num_threads(threads)
  {
    const Eigen::Index t = omp_get_thread_num(), T = omp_get_num_threads();
    const Eigen::Index a = n * t / T, b = n * (t + 1) / T;
    f(a, b - a);
  }
}

struct net {
  const bench::config& c;
  int L, B;
  int threads = 1;
  std::vector<std::size_t> w_off, b_off;  // offsets into params / grads / velocity
  std::vector<float> params, grads, vel;
  std::vector<std::vector<float>> act;    // act[l+1]: output of layer l (post-activation for hidden)
  std::vector<float> g0, g1;               // gradient ping-pong, B × max width

  explicit net(const bench::config& cfg) : c(cfg), L(int(cfg.widths.size()) - 1), B(cfg.batch) {
    std::size_t n = 0;
    int maxw = 0;
    for (int l = 0; l < L; ++l) {
      w_off.push_back(n);
      n += std::size_t(c.widths[l]) * c.widths[l + 1];
      b_off.push_back(n);
      n += c.widths[l + 1];
      maxw = std::max(maxw, std::max(c.widths[l], c.widths[l + 1]));
    }
    params.resize(n);
    grads.assign(n, 0.f);
    vel.assign(n, 0.f);
    bench::rng r{1};
    for (int l = 0; l < L; ++l) {
      const float bound = 1.0f / std::sqrt(float(c.widths[l]));
      const std::size_t e = b_off[l] + c.widths[l + 1];
      for (std::size_t i = w_off[l]; i < e; ++i) params[i] = r.uniform(-bound, bound);
    }
    act.resize(L + 1);
    for (int l = 1; l <= L; ++l) act[l].resize(std::size_t(B) * c.widths[l]);
    g0.resize(std::size_t(B) * maxw);
    g1.resize(std::size_t(B) * maxw);
  }

  float step(const bench::data& d) {
    // ---- forward ----
    const float* in = d.x.data();
    for (int l = 0; l < L; ++l) {
      const int K = c.widths[l], N = c.widths[l + 1];
      float* out = act[l + 1].data();
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, B, N, K, 1.f, in, K, params.data() + w_off[l], N, 0.f,
                  out, N);
      rvec b(params.data() + b_off[l], N);
      in_chunks(threads, B, N, [&](Eigen::Index r0, Eigen::Index rows) {
        map Z(out + r0 * N, rows, N);
        if (l + 1 == L) Z.rowwise() += b;
        else if (c.activation == bench::act::relu) Z = (Z.rowwise() + b).cwiseMax(0.f);
        else Z = (Z.rowwise() + b).array().tanh().matrix();
      });
      in = out;
    }
    // ---- loss and its gradient w.r.t. the last layer's output ----
    const int O = c.widths[L];
    map Y(act[L].data(), B, O);
    map G(g0.data(), B, O);
    float loss = 0;
    if (c.loss == bench::loss_kind::softmax_ce) {
      Eigen::VectorXf m = Y.rowwise().maxCoeff();
      G = (Y.colwise() - m).array().exp().matrix();
      Eigen::VectorXf s = G.rowwise().sum();
      G = (G.array().colwise() / (s.array() * float(B))).matrix();
      for (int i = 0; i < B; ++i) {
        const int y = d.labels[i];
        loss += std::log(s[i]) + m[i] - Y(i, y);
        G(i, y) -= 1.0f / float(B);
      }
      loss /= float(B);
    } else {
      cmap T(d.targets.data(), B, O);
      G = Y - T;
      loss = G.squaredNorm() / float(B * O);
      G *= 2.0f / float(B * O);
    }
    // ---- backward ----
    float* g = g0.data();
    float* gn = g1.data();
    for (int l = L - 1; l >= 0; --l) {
      const int K = c.widths[l], N = c.widths[l + 1];
      const float* a = l == 0 ? d.x.data() : act[l].data();
      cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, K, N, B, 1.f, a, K, g, N, 0.f, grads.data() + w_off[l],
                  N);
      in_chunks(threads, N, B, [&](Eigen::Index c0, Eigen::Index cols) {
        rvec(grads.data() + b_off[l] + c0, cols) = map(g, B, N).middleCols(c0, cols).colwise().sum();
      });
      if (l == 0) break;
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, B, K, N, 1.f, g, N, params.data() + w_off[l], N, 0.f, gn,
                  K);
      in_chunks(threads, B, K, [&](Eigen::Index r0, Eigen::Index rows) {
        map dA(gn + r0 * K, rows, K);
        cmap A(a + r0 * K, rows, K);
        if (c.activation == bench::act::relu) dA = (A.array() > 0.f).select(dA, 0.f);
        else dA = (dA.array() * (1.f - A.array().square())).matrix();
      });
      std::swap(g, gn);
    }
    // ---- SGD with momentum (PyTorch convention: v = mu v + g; p -= lr v) ----
    in_chunks(threads, Eigen::Index(params.size()), 1, [&](Eigen::Index i0, Eigen::Index n) {
      flat v(vel.data() + i0, n), p(params.data() + i0, n), gr(grads.data() + i0, n);
      v = 0.9f * v + gr;
      p -= 0.01f * v;
    });
    return loss;
  }
};

const char* openblas_kind() {
  switch (openblas_get_parallel()) {
    case 0: return "sequential";
    case 1: return "pthread";
    case 2: return "openmp";
    default: return "unknown";
  }
}

}  // namespace

int main(int argc, char** argv) {
  return bench::main_with(argc, argv, [](const bench::options& o, const bench::config& c, const bench::data& d,
                                         double peak) {
    openblas_set_num_threads(o.threads);
    net n(c);
    n.threads = o.threads;
    float loss = 0;
    const bench::timing t = bench::time_steps(o, [&] { loss = n.step(d); });
    std::string note = std::string("openblas=") + openblas_kind() + ",core=" + openblas_get_corename();
    if (!o.note.empty()) note += "," + o.note;
    bench::print_result(o, c, "eigen_openblas", t, peak, note, loss);
    return 0;
  });
}
