// LayerNorm and GroupNorm modules (torch/nn/modules/normalization.py): parameters, torch's
// initialisation (weight 1, bias 0), printing; forward calls nn::functional.
#include "gradflow/nn/normalization.hpp"

#include "gradflow/factories.hpp"
#include "gradflow/nn/init.hpp"
#include "python_repr.hpp"

namespace gf::nn {

namespace {
const char* python_bool(bool b) { return b ? "True" : "False"; }
}  // namespace

LayerNorm::LayerNorm(const LayerNormOptions& o) : Module("LayerNorm"), options_(o) {
  GF_CHECK(is_floating(o.dtype()), "LayerNorm: dtype must be floating, got ",
           dtype_name(o.dtype()));
  for (int64_t s : o.normalized_shape())
    GF_CHECK(s >= 0, "LayerNorm: normalized_shape must be non-negative, got ",
             Shape(o.normalized_shape()));
  if (o.elementwise_affine()) {
    weight = register_parameter("weight", empty(Shape(o.normalized_shape()), o.dtype()));
    bias = register_parameter("bias", empty(Shape(o.normalized_shape()), o.dtype()));
  }
  reset_parameters();
}

void LayerNorm::reset_parameters() {
  if (weight.defined()) init::ones_(weight);
  if (bias.defined()) init::zeros_(bias);
}

Tensor LayerNorm::forward(const Tensor& input) {
  return functional::layer_norm(input, functional::LayerNormFuncOptions(options_.normalized_shape())
                                           .weight(weight)
                                           .bias(bias)
                                           .eps(options_.eps()));
}

// torch prints normalized_shape as a tuple: (64,) or (3, 4)
std::string LayerNorm::extra_repr() const {
  const auto& shape = options_.normalized_shape();
  std::string s = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  s += shape.size() == 1 ? ",)" : ")";
  return s + ", eps=" + detail::python_float(options_.eps()) +
         ", elementwise_affine=" + python_bool(options_.elementwise_affine());
}

GroupNorm::GroupNorm(const GroupNormOptions& o) : Module("GroupNorm"), options_(o) {
  GF_CHECK(o.num_groups() > 0, "GroupNorm: num_groups must be positive, got ", o.num_groups());
  GF_CHECK(o.num_channels() % o.num_groups() == 0,
           "GroupNorm: num_channels must be divisible by num_groups (num_channels=",
           o.num_channels(), ", num_groups=", o.num_groups(), ")");
  GF_CHECK(is_floating(o.dtype()), "GroupNorm: dtype must be floating, got ",
           dtype_name(o.dtype()));
  if (o.affine()) {
    weight = register_parameter("weight", empty({o.num_channels()}, o.dtype()));
    bias = register_parameter("bias", empty({o.num_channels()}, o.dtype()));
  }
  reset_parameters();
}

void GroupNorm::reset_parameters() {
  if (weight.defined()) init::ones_(weight);
  if (bias.defined()) init::zeros_(bias);
}

Tensor GroupNorm::forward(const Tensor& input) {
  return functional::group_norm(input, functional::GroupNormFuncOptions(options_.num_groups())
                                           .weight(weight)
                                           .bias(bias)
                                           .eps(options_.eps()));
}

std::string GroupNorm::extra_repr() const {
  return std::to_string(options_.num_groups()) + ", " + std::to_string(options_.num_channels()) +
         ", eps=" + detail::python_float(options_.eps()) +
         ", affine=" + python_bool(options_.affine());
}

}  // namespace gf::nn
