// Schedules equal their closed forms (catalogue A5) at sampled steps.
#include <catch2/catch.hpp>
#include <cmath>
#include <numbers>
#include <ctnn/sched/all.hpp>

namespace sched = ctnn::sched;
using std::numbers::pi;

TEST_CASE("schedules equal their closed forms", "[sched]") {
  CHECK(sched::constant{.lr = 0.3}(12345) == 0.3);
  const sched::step st{.lr = 0.1, .step_size = 30, .gamma = 0.1};
  CHECK(st(29) == Approx(0.1));
  CHECK(st(30) == Approx(0.01));
  CHECK(st(95) == Approx(1e-4));
  const sched::multistep ms{.lr = 1.0, .milestones = {10, 25}, .gamma = 0.5};
  CHECK(ms(9) == 1.0);
  CHECK(ms(10) == 0.5);
  CHECK(ms(30) == 0.25);
  CHECK(sched::exponential{.lr = 2.0, .gamma = 0.9}(7) == Approx(2.0 * std::pow(0.9, 7)));
  const sched::cosine c{.lr = 0.1, .total = 100, .min_lr = 0.01};
  for (std::size_t t : {0u, 13u, 50u, 99u, 100u, 150u})
    CHECK(c(t) == Approx(0.01 + 0.045 * (1 + std::cos(pi * double(std::min<std::size_t>(t, 100)) / 100))));
  // SGDR, T0 = 10, T_mult = 2: periods [0,10), [10,30), [30,70).
  const sched::sgdr r{.lr = 1.0, .t0 = 10, .t_mult = 2, .min_lr = 0.0};
  CHECK(r(0) == Approx(1.0));
  CHECK(r(5) == Approx(0.5 * (1 + std::cos(pi * 5 / 10))));
  CHECK(r(10) == Approx(1.0));
  CHECK(r(25) == Approx(0.5 * (1 + std::cos(pi * 15 / 20))));
  CHECK(r(69) == Approx(0.5 * (1 + std::cos(pi * 39 / 40))));
  CHECK(r(70) == Approx(1.0));
  CHECK(sched::sgdr{.lr = 1.0, .t0 = 10}(27) == Approx(0.5 * (1 + std::cos(pi * 7 / 10))));
  const sched::warmup<sched::cosine> w{.steps = 10, .inner = {.lr = 0.2, .total = 100}};
  CHECK(w(0) == 0.0);
  CHECK(w(5) == Approx(0.1));
  CHECK(w(10) == Approx(0.2));
  CHECK(w(60) == Approx(0.1 * (1 + std::cos(pi * 50 / 100))));
  // Cyclical, s = 4: cycle = ⌊1 + t/8⌋, x = |t/4 − 2 cycle + 1|.
  const sched::cyclical tri{.min_lr = 0.1, .max_lr = 0.5, .step_size = 4};
  CHECK(tri(0) == Approx(0.1));
  CHECK(tri(2) == Approx(0.3));
  CHECK(tri(4) == Approx(0.5));
  CHECK(tri(7) == Approx(0.2));
  CHECK(tri(12) == Approx(0.5));
  const sched::cyclical tri2{.min_lr = 0.1, .max_lr = 0.5, .step_size = 4, .mode = sched::cycle_mode::triangular2};
  CHECK(tri2(12) == Approx(0.1 + 0.4 * 0.5));
  CHECK(tri2(20) == Approx(0.1 + 0.4 * 0.25));
  const sched::cyclical ex{.min_lr = 0.1, .max_lr = 0.5, .step_size = 4, .mode = sched::cycle_mode::exp_range, .gamma = 0.99};
  CHECK(ex(12) == Approx(0.1 + 0.4 * std::pow(0.99, 12)));
  // One-cycle, T = 100, pct 0.3: a = 29, b = 99; η₀ = 0.004, η_end = 4e-7.
  const sched::one_cycle oc{.max_lr = 0.1, .total = 100};
  CHECK(oc(0) == Approx(0.004));
  CHECK(oc(29) == Approx(0.1));
  CHECK(oc(10) == Approx(0.1 + (0.004 - 0.1) * (1 + std::cos(pi * 10 / 29)) / 2));
  CHECK(oc(64) == Approx(4e-7 + (0.1 - 4e-7) * (1 + std::cos(pi * 35 / 70)) / 2));
  CHECK(oc(99) == Approx(4e-7));
  const sched::inverse_sqrt is{.lr = 1.0, .warmup = 100};
  CHECK(is(49) == Approx(0.5));
  CHECK(is(99) == Approx(1.0));
  CHECK(is(399) == Approx(0.5));
  CHECK(sched::inverse_sqrt{.lr = 1.0, .warmup = 0}(3) == Approx(0.5));
}

TEST_CASE("a schedule with a setting that has no value is an error, not a NaN, a crash or a hang", "[sched]") {
  using Catch::Contains;
  // Each of these divided by zero: step's integer division killed the process, sgdr's period of
  // 0 never ended, the others returned NaN at every step.
  CHECK_THROWS_WITH(sched::step{.step_size = 0}(3), Contains("sched::step: step_size must be at least 1"));
  CHECK_THROWS_WITH(sched::sgdr{.t0 = 0}(3), Contains("sched::sgdr: t0 must be at least 1"));
  CHECK_THROWS_WITH(sched::cosine{.total = 0}(3), Contains("sched::cosine: total must be at least 1"));
  CHECK_THROWS_WITH(sched::cyclical{.step_size = 0}(3), Contains("sched::cyclical: step_size must be at least 1"));
  CHECK_THROWS_WITH(sched::one_cycle{.total = 0}(3), Contains("sched::one_cycle: total must be at least 1"));
  CHECK_THROWS_WITH(sched::one_cycle{.pct_start = 1.5}(3), Contains("pct_start must lie in [0, 1], it is 1.5"));
  CHECK_THROWS_WITH(sched::one_cycle{.pct_start = NAN}(3), Contains("pct_start must lie in [0, 1]"));
  // An empty first phase (pct_start · T = 1) starts at its end, η_max (torch divides 0 by 0 there);
  // pct_start = 0 anneals from η_max from step 0 on, as torch does.
  const sched::one_cycle empty_warmup{.max_lr = 0.1, .total = 100, .pct_start = 0.01};
  CHECK(empty_warmup(0) == 0.1);
  CHECK(empty_warmup(1) == Approx(4e-7 + (0.1 - 4e-7) * (1 + std::cos(pi * 1 / 99)) / 2));
  const sched::one_cycle no_warmup{.max_lr = 0.1, .total = 100, .pct_start = 0};
  CHECK(no_warmup(0) == Approx(4e-7 + (0.1 - 4e-7) * (1 + std::cos(pi * 1 / 100)) / 2));
  CHECK(sched::one_cycle{.max_lr = 0.1, .total = 1}(0) == Approx(4e-7));
}

TEST_CASE("reduce_on_plateau follows torch's rule", "[sched]") {
  sched::reduce_on_plateau r{.lr = 1.0, .factor = 0.5, .patience = 2, .cooldown = 1};
  CHECK(r(0) == 1.0);
  CHECK_FALSE(r.observe(1.0));  // improves on +inf
  CHECK_FALSE(r.observe(1.0));  // bad 1
  CHECK_FALSE(r.observe(1.0));  // bad 2
  CHECK(r.observe(1.0));        // bad 3 > patience: halve
  CHECK(r(100) == 0.5);
  CHECK_FALSE(r.observe(1.0));  // cooldown: bad reset
  CHECK_FALSE(r.observe(0.5));  // improvement
  CHECK_FALSE(r.observe(0.5));
  CHECK_FALSE(r.observe(0.5));
  CHECK(r.observe(0.5));
  CHECK(r(0) == 0.25);
}

TEST_CASE("a base rate left to the optimizer is filled in by fill_base_rate, and an error unfilled", "[sched]") {
  using Catch::Contains;
  // Called on its own (outside fit), a schedule whose rate is the optimizer's says so.
  CHECK_THROWS_WITH(sched::cosine{.total = 10}(3), Contains("sched::cosine: .lr is left to the optimizer's learning rate"));
  CHECK_THROWS_WITH(sched::constant{}(0), Contains("sched::constant: .lr"));
  CHECK_THROWS_WITH(sched::one_cycle{.total = 10}(3), Contains("sched::one_cycle: .max_lr"));
  CHECK_THROWS_WITH(sched::reduce_on_plateau{}.observe(1.0), Contains("sched::reduce_on_plateau: .lr"));
  CHECK_THROWS_WITH((sched::warmup<sched::step>{.steps = 2}(5)), Contains("sched::step: .lr"));
  // cyclical's bottom is never the optimizer's rate: it must be set.
  CHECK_THROWS_WITH((sched::cyclical{.max_lr = 0.5, .step_size = 4}(1)), Contains("sched::cyclical: set .min_lr"));
  // Filled: the unset rates take the given one, set ones stay.
  sched::warmup<sched::cosine> w{.steps = 10, .inner = {.total = 100}};
  sched::fill_base_rate(w, 0.2);
  CHECK(w.inner.lr == 0.2);
  CHECK(w(10) == Approx(0.2));
  sched::cosine own{.lr = 0.7, .total = 10};
  sched::fill_base_rate(own, 0.2);
  CHECK(own.lr == 0.7);
  sched::one_cycle oc{.total = 100};
  sched::fill_base_rate(oc, 0.1);
  CHECK(oc(29) == Approx(0.1));
  sched::cyclical cy{.min_lr = 0.1, .step_size = 4};
  sched::fill_base_rate(cy, 0.5);
  CHECK(cy(4) == Approx(0.5));
  CHECK(std::isnan(sched::cyclical{}.min_lr));
}
