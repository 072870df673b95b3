// Training checkpoints: an interrupted-and-resumed run is bitwise identical to an uninterrupted
// one; mismatched or truncated checkpoints are clear errors.
#include <catch2/catch.hpp>
#include <cstring>
#include <stdexcept>
#include <ctnn/ctnn.hpp>
#include <ctnn/io/checkpoint.hpp>
#include "io/io_support.hpp"

namespace {

using net = ctnn::sequential<ctnn::input<20>, ctnn::dense<32>, ctnn::relu,
                             ctnn::residual<ctnn::dense<16>, ctnn::gelu, ctnn::dense<32>>, ctnn::dense<4>>;
using model_t = ctnn::model<net>;
using tiny_model = ctnn::model<ctnn::sequential<ctnn::input<3>, ctnn::dense<4>, ctnn::relu, ctnn::dense<2>>>;
using sgd = ctnn::optim::sgd;

ctnn::data::labeled_dataset toy_data(std::size_t n) {
  ctnn::rng g(77);
  xt::xtensor<float, 2> x = xt::empty<float>({n, std::size_t{20}});
  xt::xtensor<std::int32_t, 1> y = xt::empty<std::int32_t>({n});
  for (auto& v : x) v = static_cast<float>(g.normal());
  for (auto& v : y) v = static_cast<std::int32_t>(g.below(4));
  return ctnn::data::make_labeled(std::move(x), std::move(y), 4);
}

// fit's loop (train/fit.hpp) driven from a fit_position, following the resume rule of
// train/resume.hpp; stops after global step `stop` or at the end of `epochs` epochs.
template <class Trainer>
void train_until(Trainer& tr, const ctnn::data::labeled_dataset& d, ctnn::fit_position& pos, std::size_t batch,
                 std::size_t epochs, std::uint64_t stop) {
  const std::size_t n = d.size(), steps = (n + batch - 1) / batch;
  REQUIRE(pos.order.size() == n);
  ctnn::detail::batch_source<float, std::int32_t, ctnn::data::labeled_dataset> source(d);
  while (pos.epoch < epochs && pos.global_step < stop) {
    if (pos.step == 0 && pos.shuffle) ctnn::shuffle_for_epoch(pos.order, pos.seed, pos.epoch);
    for (; pos.step < steps && pos.global_step < stop; ++pos.step, ++pos.global_step) {
      const std::size_t lo = pos.step * batch, b = std::min(batch, n - lo);
      source.gather(pos.order.data() + lo, b);
      const float l = tr.forward_backward(source.x(), source.targets(), b);
      ctnn::metric::accuracy acc{pos.correct, pos.total};
      acc.add(tr.model().output(), source.targets(), b, model_t::out_features);
      pos.correct = acc.correct;
      pos.total = acc.total;
      tr.apply_update(0.1f / static_cast<float>(1 + pos.epoch));  // a per-epoch schedule
      pos.loss_sum += static_cast<double>(l);
    }
    if (pos.step == steps) pos.next_epoch();
  }
}

ctnn::fit_position start(std::size_t n, std::uint64_t seed) {
  ctnn::fit_position p;
  p.seed = seed;
  p.order = ctnn::replay_order(n, seed, 0);
  return p;
}

template <class T>
bool same_bits(const T& a, const T& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(*a.data())) == 0;
}

}  // namespace

TEST_CASE("replay_order reproduces fit's cumulative in-place shuffles", "[io][checkpoint]") {
  std::vector<std::size_t> order(50);
  std::iota(order.begin(), order.end(), std::size_t{0});
  for (std::size_t e = 0; e < 3; ++e) {  // verbatim from fit.hpp
    ctnn::rng g(5, e);
    for (std::size_t i = order.size() - 1; i > 0; --i) std::swap(order[i], order[g.below(i + 1)]);
  }
  CHECK(ctnn::replay_order(50, 5, 3) == order);
}

TEST_CASE("stop, checkpoint, load into a fresh model and continue == never stopping, bitwise", "[io][checkpoint]") {
  ctnn_test::scratch_dir dir("ckpt_resume");
  const auto data = toy_data(100);
  const std::size_t batch = 16, epochs = 3;  // 7 steps per epoch, the last one of 4 samples
  const std::uint64_t total_steps = 21;
  const sgd opt{.lr = 0.1f, .momentum = 0.9f, .weight_decay = 1e-4f, .nesterov = true};

  model_t ref{ctnn::seed{11}};
  ctnn::trainer tr_ref{ref, ctnn::loss::softmax_cross_entropy{}, opt};
  auto pos_ref = start(data.size(), 99);
  train_until(tr_ref, data, pos_ref, batch, epochs, total_steps);
  REQUIRE(pos_ref.global_step == total_steps);

  for (std::uint64_t cut : {3u, 7u, 10u, 14u, 20u}) {  // mid-epoch, at epoch ends, one before the end
    INFO("interrupted after step " << cut);
    {
      model_t m{ctnn::seed{11}};
      ctnn::trainer tr{m, ctnn::loss::softmax_cross_entropy{}, opt};
      auto pos = start(data.size(), 99);
      train_until(tr, data, pos, batch, epochs, cut);
      ctnn::save_checkpoint(tr, pos, dir / "ckpt.safetensors");
    }  // the first process's state is gone
    model_t fresh{ctnn::seed{12345}};
    ctnn::trainer tr{fresh, ctnn::loss::softmax_cross_entropy{}, opt};
    auto pos = ctnn::load_checkpoint(tr, dir / "ckpt.safetensors");
    CHECK(pos.global_step == cut);
    train_until(tr, data, pos, batch, epochs, total_steps);
    CHECK(same_bits(fresh.parameters(), ref.parameters()));
    CHECK(same_bits(tr.optimizer_state().velocity, tr_ref.optimizer_state().velocity));
    CHECK(tr.optimizer_state().steps == tr_ref.optimizer_state().steps);
    CHECK(pos.order == pos_ref.order);
    CHECK(pos.epoch == pos_ref.epoch);
    CHECK(std::memcmp(&pos.loss_sum, &pos_ref.loss_sum, sizeof(double)) == 0);
    CHECK(pos.correct == pos_ref.correct);
    CHECK(pos.total == pos_ref.total);
  }
  // and the test can fail: resuming without the optimizer state diverges
  model_t fresh{ctnn::seed{1}};
  ctnn::trainer tr{fresh, ctnn::loss::softmax_cross_entropy{}, opt};
  auto pos = ctnn::load_checkpoint(tr, dir / "ckpt.safetensors");
  tr.optimizer_state() = opt.make_state<float>(model_t::parameter_count);
  train_until(tr, data, pos, batch, epochs, total_steps);
  CHECK_FALSE(same_bits(fresh.parameters(), ref.parameters()));
}

TEST_CASE("fit's loop is the resume rule's: its order from the seed, every batch, the per-epoch rate", "[io][checkpoint]") {
  // train_until above is an independent copy of fit's loop; fit must give its bits, and another
  // seed must not (a shuffle that ignored the seed, or reused one epoch's, passed every other test).
  const auto data = toy_data(100);  // 7 steps of 16 per epoch, the last one of 4 samples
  const sgd opt{.lr = 0.1f, .momentum = 0.9f};
  auto per_epoch = [](std::size_t e) { return static_cast<double>(0.1f / static_cast<float>(1 + e)); };
  model_t by_hand{ctnn::seed{11}};
  ctnn::trainer tr{by_hand, ctnn::loss::softmax_cross_entropy{}, opt};
  auto pos = start(data.size(), 99);
  train_until(tr, data, pos, 16, 3, 21);
  REQUIRE(pos.global_step == 21);
  for (const std::uint64_t seed : {99u, 100u}) {
    model_t fitted{ctnn::seed{11}};
    ctnn::fit(fitted, ctnn::loss::softmax_cross_entropy{}, opt, data,
              {.epochs = 3, .batch = 16, .seed = seed, .progress = ctnn::progress_mode::quiet,
               .learning_rate = per_epoch});
    CHECK(same_bits(fitted.parameters(), by_hand.parameters()) == (seed == 99));
  }
}

TEST_CASE("checkpoint header: parameters under model., optimizer arenas per parameter, fit position", "[io][checkpoint]") {
  ctnn_test::scratch_dir dir("ckpt_header");
  model_t m{ctnn::seed{1}};
  ctnn::trainer tr{m, ctnn::loss::softmax_cross_entropy{}, sgd{.lr = 0.1f, .momentum = 0.5f}};
  auto pos = start(10, 3);
  pos.epoch = 2;
  pos.step = 1;
  ctnn::save_checkpoint(tr, pos, dir / "c.safetensors");
  const auto bytes = ctnn::io::read_file(dir / "c.safetensors", "test");
  const auto v = ctnn::io::parse_safetensors(bytes, "c");
  REQUIRE(v.find("model.0.weight"));
  CHECK(v.find("model.0.weight")->shape == std::vector<std::uint64_t>{32, 20});
  REQUIRE(v.find("optimizer.velocity.2.2.weight"));
  CHECK(v.find("optimizer.velocity.2.2.weight")->shape == std::vector<std::uint64_t>{32, 16});
  REQUIRE(v.find("optimizer.steps"));
  CHECK(v.find("optimizer.steps")->type == ctnn::io::dtype::u64);
  CHECK(v.find("optimizer.steps")->shape.empty());
  CHECK(v.find("fit.order")->shape == std::vector<std::uint64_t>{10});
  CHECK(v.metadata.at("format") == "ctnn-checkpoint");
  CHECK(v.metadata.at("epoch") == "2");
  CHECK(v.metadata.at("step") == "1");
}

TEST_CASE("mismatched or malformed checkpoints are clear errors and leave the trainer unchanged", "[io][checkpoint]") {
  ctnn_test::scratch_dir dir("ckpt_bad");
  tiny_model m{ctnn::seed{1}};
  ctnn::trainer tr{m, ctnn::loss::softmax_cross_entropy{}, sgd{.lr = 0.1f, .momentum = 0.5f}};
  tr.optimizer_state().velocity[0] = 42.0f;
  const auto pos = start(10, 3);
  ctnn::save_checkpoint(tr, pos, dir / "c.safetensors");
  ctnn::save(m, dir / "model.safetensors");

  tiny_model m2{ctnn::seed{2}};
  const std::vector<float> before(m2.parameters().begin(), m2.parameters().end());
  ctnn::trainer plain{m2, ctnn::loss::softmax_cross_entropy{}, sgd{.lr = 0.1f}};  // no momentum: no velocity
  CHECK_THROWS_WITH(ctnn::load_checkpoint(plain, dir / "c.safetensors"),
                    Catch::Contains("unexpected tensor 'optimizer.velocity.0.weight'"));
  CHECK_THROWS_WITH(ctnn::load_checkpoint(plain, dir / "model.safetensors"),
                    Catch::Contains("is not a ctnn training checkpoint"));
  ctnn::trainer with_momentum{m2, ctnn::loss::softmax_cross_entropy{}, sgd{.lr = 0.1f, .momentum = 0.5f}};
  CHECK_THROWS_WITH(ctnn::load_checkpoint(with_momentum, dir / "model.safetensors"),
                    Catch::Contains("is not a ctnn training checkpoint"));
  CHECK(std::equal(before.begin(), before.end(), m2.parameters().begin()));

  // every truncation of the checkpoint throws ctnn::error, and the trainer stays untouched
  const std::string bytes = ctnn_test::read_bytes(dir / "c.safetensors");
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    ctnn_test::write_bytes(dir / "t.safetensors", bytes.substr(0, n));
    INFO("truncated to " << n << " of " << bytes.size());
    CHECK_THROWS_AS(ctnn::load_checkpoint(with_momentum, dir / "t.safetensors"), ctnn::error);
  }
  CHECK(std::equal(before.begin(), before.end(), m2.parameters().begin()));
  CHECK(with_momentum.optimizer_state().velocity[0] == 0.0f);
  // the intact one loads
  const auto p = ctnn::load_checkpoint(with_momentum, dir / "c.safetensors");
  CHECK(with_momentum.optimizer_state().velocity[0] == 42.0f);
  CHECK(p.order == pos.order);
}

TEST_CASE("fit rejects a checkpoint of another run or network before it changes the model", "[io][checkpoint]") {
  ctnn_test::scratch_dir dir("ckpt_reject");
  const auto d = toy_data(40);
  const auto quiet = ctnn::progress_mode::quiet;
  model_t a{ctnn::seed{5}};
  ctnn::fit(a, ctnn::loss::softmax_cross_entropy{}, sgd{.lr = 0.05f, .momentum = 0.9f}, d,
            {.epochs = 1, .batch = 8, .seed = 5, .progress = quiet, .checkpoint = (dir / "c.ckpt").string()});

  // Another seed: the position check used to run after the load had committed the parameters.
  model_t b{ctnn::seed{77}};
  const std::vector<float> before(b.parameters().begin(), b.parameters().end());
  const auto draws = b.random_draws();
  CHECK_THROWS_WITH(ctnn::fit(b, ctnn::loss::softmax_cross_entropy{}, sgd{.lr = 0.05f, .momentum = 0.9f}, d,
                              {.epochs = 2, .batch = 8, .seed = 6, .progress = quiet,
                               .resume_from = (dir / "c.ckpt").string()}),
                    Catch::Contains("is of another run"));
  CHECK(std::equal(before.begin(), before.end(), b.parameters().begin()));
  CHECK(b.random_draws() == draws);

  // Another network with the same tensor names and shapes (tanh for relu): its signature differs.
  using other_net = ctnn::sequential<ctnn::input<20>, ctnn::dense<32>, ctnn::tanh,
                                     ctnn::residual<ctnn::dense<16>, ctnn::gelu, ctnn::dense<32>>, ctnn::dense<4>>;
  ctnn::model<other_net> o{ctnn::seed{5}};
  const std::vector<float> o_before(o.parameters().begin(), o.parameters().end());
  CHECK_THROWS_WITH(ctnn::fit(o, ctnn::loss::softmax_cross_entropy{}, sgd{.lr = 0.05f, .momentum = 0.9f}, d,
                              {.epochs = 2, .batch = 8, .seed = 5, .progress = quiet,
                               .resume_from = (dir / "c.ckpt").string()}),
                    Catch::Contains("is a checkpoint of the network") && Catch::Contains("Tanh"));
  CHECK(std::equal(o_before.begin(), o_before.end(), o.parameters().begin()));
}

TEST_CASE("data_fingerprint: every byte counts, at every length", "[io][checkpoint]") {
  // Lengths around the 32-byte blocks and 8-byte words (a 9-31 byte tail once overran its word).
  for (std::size_t n = 0; n <= 70; ++n) {
    std::vector<unsigned char> bytes(n);
    for (std::size_t i = 0; i < n; ++i) bytes[i] = static_cast<unsigned char>(i * 37 + 11);
    const std::uint64_t base = ctnn::detail::fingerprint_bytes(0, bytes.data(), n);
    for (std::size_t i = 0; i < n; ++i) {
      auto changed = bytes;
      changed[i] ^= 1;
      INFO("length " << n << ", byte " << i);
      CHECK(ctnn::detail::fingerprint_bytes(0, changed.data(), n) != base);
    }
    // A longer input that starts the same, padded with zeros, is another input.
    std::vector<unsigned char> longer(bytes);
    longer.push_back(0);
    CHECK(ctnn::detail::fingerprint_bytes(0, longer.data(), n + 1) != base);
  }
}

TEST_CASE("fit refuses to resume on other data of the same size, or past the run's end", "[io][checkpoint]") {
  ctnn_test::scratch_dir dir("ckpt_data");
  const auto d = toy_data(40);
  const auto quiet = ctnn::progress_mode::quiet;
  const std::string path = (dir / "c.ckpt").string();
  model_t a{ctnn::seed{5}};
  ctnn::fit(a, ctnn::loss::softmax_cross_entropy{}, sgd{.lr = 0.05f}, d,
            {.epochs = 2, .batch = 8, .seed = 5, .progress = quiet, .checkpoint = path});

  // One value changed: the same size, seed and shuffle, so only the fingerprint tells.
  auto other = d;
  other.x(17, 3) += 1.0f;
  model_t b{ctnn::seed{6}};
  const std::vector<float> before(b.parameters().begin(), b.parameters().end());
  CHECK_THROWS_WITH(ctnn::fit(b, ctnn::loss::softmax_cross_entropy{}, sgd{.lr = 0.05f}, other,
                              {.epochs = 3, .batch = 8, .seed = 5, .progress = quiet, .resume_from = path}),
                    Catch::Contains("written training on other data of the same size (40 samples"));
  auto relabeled = d;
  relabeled.y(3) = (relabeled.y(3) + 1) % 4;
  CHECK_THROWS_WITH(ctnn::fit(b, ctnn::loss::softmax_cross_entropy{}, sgd{.lr = 0.05f}, relabeled,
                              {.epochs = 3, .batch = 8, .seed = 5, .progress = quiet, .resume_from = path}),
                    Catch::Contains("other data of the same size"));
  CHECK(std::equal(before.begin(), before.end(), b.parameters().begin()));

  // The checkpoint is after epoch 2: a 1-epoch run has nothing to resume; a 2-epoch one is complete.
  CHECK_THROWS_WITH(ctnn::fit(b, ctnn::loss::softmax_cross_entropy{}, sgd{.lr = 0.05f}, d,
                              {.epochs = 1, .batch = 8, .seed = 5, .progress = quiet, .resume_from = path}),
                    Catch::Contains("is after epoch 2, beyond this run's epochs = 1: set epochs above 2"));
  CHECK(std::equal(before.begin(), before.end(), b.parameters().begin()));
  CHECK(ctnn::fit(b, ctnn::loss::softmax_cross_entropy{}, sgd{.lr = 0.05f}, d,
                  {.epochs = 2, .batch = 8, .seed = 5, .progress = quiet, .resume_from = path})
            .empty());
  CHECK(ctnn::fit(b, ctnn::loss::softmax_cross_entropy{}, sgd{.lr = 0.05f}, d,
                  {.epochs = 3, .batch = 8, .seed = 5, .progress = quiet, .resume_from = path})
            .size() == 1);

  // A diverged model resumes from its last good checkpoint: only the loaded parameters are checked.
  model_t diverged{ctnn::seed{8}};
  diverged.parameters()[0] = NAN;
  CHECK(ctnn::fit(diverged, ctnn::loss::softmax_cross_entropy{}, sgd{.lr = 0.05f}, d,
                  {.epochs = 3, .batch = 8, .seed = 5, .progress = quiet, .resume_from = path})
            .size() == 1);
  CHECK(diverged.first_nonfinite_parameter().empty());

  // drop_last changes where an epoch ends: a mid-epoch checkpoint keeps it (40 samples, batch 16:
  // 16 + 16 + 8, or 16 + 16).
  model_t e{ctnn::seed{5}};
  CHECK_THROWS_WITH(ctnn::fit(e, ctnn::loss::softmax_cross_entropy{}, sgd{.lr = 0.05f}, d,
                              {.epochs = 1, .batch = 16, .seed = 5, .progress = quiet,
                               .schedule = [](std::size_t step) {
                                 if (step == 1) throw std::runtime_error("interrupted");
                                 return 0.05;
                               },
                               .checkpoint = path, .checkpoint_every = 1}),
                    "interrupted");
  CHECK_THROWS_WITH(ctnn::fit(e, ctnn::loss::softmax_cross_entropy{}, sgd{.lr = 0.05f}, d,
                              {.epochs = 1, .batch = 16, .seed = 5, .progress = quiet, .resume_from = path,
                               .drop_last = true}),
                    Catch::Contains("stopped mid-epoch in a run with drop_last = false; this run has drop_last = true"));

  // ctnn::load on a checkpoint says what the file is.
  model_t c{ctnn::seed{7}};
  CHECK_THROWS_WITH(ctnn::load(c, path), Catch::Contains("is a training checkpoint") &&
                                             Catch::Contains("fit_options::resume_from or ctnn::load_checkpoint"));
}

TEST_CASE("fit checks the checkpoint options before training", "[io][checkpoint]") {
  ctnn_test::scratch_dir dir("ckpt_path");
  const auto d = toy_data(16);
  const auto quiet = ctnn::progress_mode::quiet;
  model_t m{ctnn::seed{1}};
  const std::vector<float> before(m.parameters().begin(), m.parameters().end());
  CHECK_THROWS_WITH(ctnn::fit(m, ctnn::loss::softmax_cross_entropy{}, sgd{.lr = 0.05f}, d,
                              {.epochs = 1, .batch = 8, .progress = quiet,
                               .checkpoint = (dir / "no" / "such" / "c.ckpt").string()}),
                    Catch::Contains("cannot create a temporary file"));
  CHECK_THROWS_WITH(ctnn::fit(m, ctnn::loss::softmax_cross_entropy{}, sgd{.lr = 0.05f}, d,
                              {.epochs = 1, .batch = 8, .progress = quiet, .checkpoint_every = 3}),
                    Catch::Contains("checkpoint_every is set but options.checkpoint names no file"));
  CHECK(std::equal(before.begin(), before.end(), m.parameters().begin()));  // no step was taken
}

TEST_CASE("the recorded optimizer name does not depend on the compiler's spelling", "[io][checkpoint]") {
  // g++ writes "a<b<c> >", clang "a<b<c>>".
  CHECK(ctnn::io::normalized_type_name("ctnn::optim::lookahead<ctnn::optim::adam_type<ctnn::optim::adam_defaults> >") ==
        "ctnn::optim::lookahead<ctnn::optim::adam_type<ctnn::optim::adam_defaults>>");
  CHECK(ctnn::io::normalized_type_name("a<unsigned long, b> >") == "a<unsigned long, b>>");
}
