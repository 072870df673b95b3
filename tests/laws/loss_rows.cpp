// A RowwiseLoss's gradient taken by rows (a pipelined step takes it block by block) is the bits
// value_and_grad writes for the whole batch, and its value does not depend on dy being written.
#include <catch2/catch.hpp>
#include <cstdint>
#include <cstring>
#include <vector>
#include <ctnn/ctnn.hpp>

namespace {

template <class Loss, class S>
void check_rows(std::size_t batch, std::size_t width) {
  static_assert(ctnn::RowwiseLoss<Loss>);
  using target = typename Loss::template target<S>;
  ctnn::rng g(batch * 31 + width);
  std::vector<S> y(batch * width);
  for (auto& v : y) v = static_cast<S>(3 * g.normal());
  std::vector<target> t(std::is_same_v<target, S> ? batch * width : batch);
  for (auto& v : t)
    v = std::is_same_v<target, S> ? static_cast<target>(g.normal()) : static_cast<target>(g.below(width));
  std::vector<S> whole(batch * width), rows(batch * width, S(-7));
  const S value = Loss::value_and_grad(y.data(), t.data(), batch, width, whole.data());
  // Uneven blocks, the last one ending at the batch.
  const std::size_t cuts[] = {0, 1, batch / 3, batch / 2 + 1, batch};
  for (std::size_t b = 0; b + 1 < std::size(cuts); ++b)
    Loss::gradient_rows(y.data(), t.data(), batch, width, cuts[b], cuts[b + 1], rows.data());
  INFO("batch " << batch << ", width " << width);
  CHECK(std::memcmp(whole.data(), rows.data(), whole.size() * sizeof(S)) == 0);
  const S value_only = Loss::value_and_grad(y.data(), t.data(), batch, width, static_cast<S*>(nullptr));
  CHECK(std::memcmp(&value, &value_only, sizeof(S)) == 0);
}

}  // namespace

TEST_CASE("a loss's gradient by rows is the bits of the whole batch's", "[laws][loss]") {
  check_rows<ctnn::loss::mse, float>(37, 5);
  check_rows<ctnn::loss::mse, double>(64, 1);
  check_rows<ctnn::loss::softmax_cross_entropy, float>(37, 10);
  check_rows<ctnn::loss::softmax_cross_entropy, double>(64, 3);
}
