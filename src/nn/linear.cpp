// Linear: y = x Wᵀ + b with PyTorch's default initialisation (torch/nn/modules/linear.py).
#include "gradflow/nn/linear.hpp"

#include <cmath>
#include <sstream>

#include "gradflow/factories.hpp"
#include "gradflow/nn/init.hpp"
#include "gradflow/ops.hpp"
#include "gradflow/nn/functional.hpp"

namespace gf::nn {

Linear::Linear(int64_t in_features, int64_t out_features, bool with_bias, DType dtype)
    : Module("Linear"), in_features_(in_features), out_features_(out_features) {
  GF_CHECK(in_features >= 0 && out_features >= 0,
           "Linear: in_features and out_features must be "
           "non-negative, got in_features=",
           in_features, ", out_features=", out_features);
  GF_CHECK(is_floating(dtype), "Linear: dtype must be floating, got ", dtype_name(dtype));
  weight = register_parameter("weight", empty({out_features, in_features}, dtype));
  if (with_bias) bias = register_parameter("bias", empty({out_features}, dtype));
  reset_parameters();
}

void Linear::reset_parameters() {
  // kaiming_uniform_(weight, a=√5): gain = √(2/(1+5)), bound = gain·√(3/fan_in) = 1/√fan_in
  init::kaiming_uniform_(weight, std::sqrt(5.0));
  if (bias.defined()) {
    double bound = in_features_ > 0 ? 1.0 / std::sqrt(static_cast<double>(in_features_)) : 0.0;
    init::uniform_(bias, -bound, bound);
  }
}

Tensor Linear::forward(const Tensor& input) {
  GF_CHECK(input.dim() >= 1 && input.size(-1) == in_features_, "Linear: input of shape ",
           input.sizes(), " does not match in_features=", in_features_, " (weight shape ",
           weight.sizes(), ")");
  return functional::linear(input, weight, bias);
}

std::string Linear::extra_repr() const {
  std::ostringstream out;
  out << "in_features=" << in_features_ << ", out_features=" << out_features_
      << ", bias=" << (bias.defined() ? "True" : "False");
  return out.str();
}

}  // namespace gf::nn
