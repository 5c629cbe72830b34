// oneDNN convolution primitives for float32 (kernels/conv.hpp): not wired yet, im2col serves.
#include "conv.hpp"

namespace gf::kernels {

bool dnnl_conv2d_forward(const Tensor&, const Tensor&, const Tensor&, Tensor&,
                         const ConvGeometry&) {
  return false;
}
bool dnnl_conv2d_backward_data(const Tensor&, const Tensor&, Tensor&, const ConvGeometry&) {
  return false;
}
bool dnnl_conv2d_backward_weights(const Tensor&, const Tensor&, Tensor&, const ConvGeometry&) {
  return false;
}

}  // namespace gf::kernels
