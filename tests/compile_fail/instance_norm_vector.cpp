// instance_norm on a feature vector (each "instance" would be one value): its error, then (before)
// 10 more from the network's layout reading the node's members.
// expect: ctnn::norm::instance_norm normalizes each channel over its pixels: it needs an image input
// expect: expect_image_for_instance_norm<8>
#include <ctnn/ctnn.hpp>
#ifdef CTNN_COMPILE_FAIL
using net = ctnn::sequential<ctnn::input<4>, ctnn::dense<8>, ctnn::norm::instance_norm<>, ctnn::relu, ctnn::dense<2>>;
#else
using net = ctnn::sequential<ctnn::input<1, 4, 4>, ctnn::conv2d<2, 3, 1, 1>, ctnn::norm::instance_norm<>, ctnn::relu,
                             ctnn::flatten, ctnn::dense<2>>;
#endif
int main() {
  ctnn::model<net> m;
  return static_cast<int>(m.parameter_count) > 0 ? 0 : 1;
}
