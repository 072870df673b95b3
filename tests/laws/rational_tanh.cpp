// math::rational_tanh (the float tanh of ctnn::tanh) against tanh computed in double: at most
// 5 ulp, |y| ≤ 1, scalar and vector bitwise equal, NaN/±inf/-0 handled. Every 8th positive
// float here (CTNN_TANH_EXHAUSTIVE=1 in the environment checks every one: about 20 s).
#include <catch2/catch.hpp>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <ctnn/core/rational_tanh.hpp>
#include <ctnn/layers/tanh.hpp>

namespace {

using batch = xsimd::batch<float>;
constexpr std::size_t L = batch::size;

/// Position of a float on the number line of floats (adjacent floats differ by 1).
std::int64_t ordinal(float f) {
  std::int32_t i;
  std::memcpy(&i, &f, sizeof f);
  return i < 0 ? -std::int64_t(i & 0x7fffffff) : std::int64_t(i);
}

float from_bits(std::uint32_t u) {
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}

}  // namespace

TEST_CASE("rational_tanh: within 5 ulp of tanh over the positive floats; scalar = vector", "[laws][tanh]") {
  const char* env = std::getenv("CTNN_TANH_EXHAUSTIVE");
  const std::uint32_t stride = env && std::string_view(env) == "1" ? 1 : 8;
  const std::uint32_t inf_bits = 0x7f800000u;
  std::int64_t worst_ulp = 0;
  float worst_x = 0, largest = 0;
  std::size_t scalar_mismatch = 0, checked = 0;
  alignas(64) float x[L], y[L];
  for (std::uint32_t u = 0; u < inf_bits; u += stride * L) {
    for (std::size_t j = 0; j < L; ++j) x[j] = from_bits(std::min<std::uint32_t>(u + std::uint32_t(j) * stride, inf_bits - 1));
    ctnn::math::rational_tanh(batch::load_aligned(x)).store_aligned(y);
    for (std::size_t j = 0; j < L; ++j) {
      const float ref = float(std::tanh(double(x[j])));
      const std::int64_t d = std::llabs(ordinal(y[j]) - ordinal(ref));
      if (d > worst_ulp) worst_ulp = d, worst_x = x[j];
      largest = std::max(largest, y[j]);
      if (ctnn::math::rational_tanh(x[j]) != y[j]) ++scalar_mismatch;
      ++checked;
    }
  }
  INFO("checked " << checked << " floats; worst " << worst_ulp << " ulp at x = " << worst_x);
  CHECK(worst_ulp <= 5);
  CHECK(largest <= 1.0f);
  CHECK(scalar_mismatch == 0);
  // Odd: one rational function of x² times x, so the negatives need no separate sweep.
  for (float v : {1e-20f, 0.3f, 0.625f, 1.7f, 4.2f, 8.99f, 9.5f, 40.0f})
    CHECK(ctnn::math::rational_tanh(-v) == -ctnn::math::rational_tanh(v));
}

TEST_CASE("rational_tanh: special values", "[laws][tanh]") {
  for (float v : {INFINITY, -INFINITY, NAN, -0.0f, 0.0f, 1e-40f, -3e38f}) {
    alignas(64) float y[L];
    ctnn::math::rational_tanh(batch(v)).store_aligned(y);
    const float s = ctnn::math::rational_tanh(v);
    INFO("x = " << v);
    if (std::isnan(v)) {
      CHECK(std::isnan(y[0]));
      CHECK(std::isnan(s));
    } else {
      const float expect = float(std::tanh(double(v)));
      CHECK(y[0] == expect);
      CHECK(std::signbit(y[0]) == std::signbit(v));
      CHECK(s == y[0]);
    }
  }
}

TEST_CASE("ctnn::tanh uses rational_tanh for float and xsimd's tanh for double", "[laws][tanh]") {
  for (float v : {-3.0f, -0.5f, 0.1f, 2.0f}) {
    CHECK(ctnn::tanh::forward(v) == ctnn::math::rational_tanh(v));
    CHECK(ctnn::tanh::forward(double(v)) == std::tanh(double(v)));
  }
}
