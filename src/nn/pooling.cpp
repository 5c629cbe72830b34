// Pooling modules (torch/nn/modules/pooling.py): forward calls nn::functional; printing is
// torch's extra_repr with sizes as the user gave them.
#include "gradflow/nn/pooling.hpp"

namespace gf::nn {

namespace {
const char* python_bool(bool b) { return b ? "True" : "False"; }
}  // namespace

Tensor MaxPool2d::forward(const Tensor& input) { return functional::max_pool2d(input, options_); }
std::tuple<Tensor, Tensor> MaxPool2d::forward_with_indices(const Tensor& input) {
  return functional::max_pool2d_with_indices(input, options_);
}
std::string MaxPool2d::extra_repr() const {
  const auto& o = options_;
  return "kernel_size=" + o.kernel_size().repr() + ", stride=" + o.stride().repr() +
         ", padding=" + o.padding().repr() + ", dilation=" + o.dilation().repr() +
         ", ceil_mode=" + python_bool(o.ceil_mode());
}

Tensor AvgPool2d::forward(const Tensor& input) { return functional::avg_pool2d(input, options_); }
std::string AvgPool2d::extra_repr() const {
  const auto& o = options_;
  return "kernel_size=" + o.kernel_size().repr() + ", stride=" + o.stride().repr() +
         ", padding=" + o.padding().repr();
}

Tensor AdaptiveAvgPool2d::forward(const Tensor& input) {
  return functional::adaptive_avg_pool2d(input, options_);
}
std::string AdaptiveAvgPool2d::extra_repr() const {
  return "output_size=" + options_.output_size().repr();
}

Tensor AdaptiveMaxPool2d::forward(const Tensor& input) {
  return functional::adaptive_max_pool2d(input, options_);
}
std::tuple<Tensor, Tensor> AdaptiveMaxPool2d::forward_with_indices(const Tensor& input) {
  return functional::adaptive_max_pool2d_with_indices(input, options_);
}
std::string AdaptiveMaxPool2d::extra_repr() const {
  return "output_size=" + options_.output_size().repr();
}

}  // namespace gf::nn
