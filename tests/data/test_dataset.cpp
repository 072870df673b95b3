// make_labeled: accepts consistent x/y/classes and names the first bad index otherwise.
#include <ctnn/data/dataset.hpp>

#include <catch2/catch.hpp>

using namespace ctnn::data;
using Catch::Matchers::Contains;

TEST_CASE("make_labeled accepts consistent data", "[dataset]") {
  xt::xtensor<float, 2> x = {{0.f, 1.f, 2.f}, {3.f, 4.f, 5.f}, {6.f, 7.f, 8.f}, {9.f, 10.f, 11.f}};
  xt::xtensor<std::int32_t, 1> y = {0, 2, 1, 2};
  const labeled_dataset d = make_labeled(x, y, 3);
  CHECK(d.size() == 4);
  CHECK(d.features() == 3);
  CHECK(d.classes == 3);
  CHECK(d.x(3, 2) == 11.f);
  CHECK(d.y(1) == 2);

  const labeled_dataset empty = make_labeled(xt::xtensor<float, 2>::from_shape({0, 5}), xt::xtensor<std::int32_t, 1>::from_shape({0}), 4);
  CHECK(empty.size() == 0);
  CHECK(empty.features() == 5);
}

TEST_CASE("make_labeled rejects a row/label count mismatch", "[dataset][errors]") {
  xt::xtensor<float, 2> x = xt::zeros<float>({4, 2});
  xt::xtensor<std::int32_t, 1> y = {0, 1, 0};
  REQUIRE_THROWS_WITH(make_labeled(x, y, 2), Contains("x has 4 rows but y has 3 labels"));
}

TEST_CASE("make_labeled names the first label out of range", "[dataset][errors]") {
  xt::xtensor<float, 2> x = xt::zeros<float>({5, 2});
  REQUIRE_THROWS_WITH(make_labeled(x, xt::xtensor<std::int32_t, 1>{0, 1, 3, 9, 2}, 3),
                      Contains("y[2] = 3") && Contains("[0, 3)"));
  REQUIRE_THROWS_WITH(make_labeled(x, xt::xtensor<std::int32_t, 1>{0, 1, 2, 1, -1}, 3),
                      Contains("y[4] = -1"));
  REQUIRE_THROWS_WITH(make_labeled(x, xt::xtensor<std::int32_t, 1>{0, 0, 0, 0, 0}, 0), Contains("classes is 0"));
}
