// The activation modules of nn/activation.hpp beyond ReLU/Sigmoid/Tanh/Softmax: each forward is
// the nn::functional function of the same name with the module's options; extra_repr prints the
// options as PyTorch does.
#include "gradflow/factories.hpp"
#include "gradflow/nn/activation.hpp"
#include "gradflow/nn/functional.hpp"
#include "python_repr.hpp"

namespace gf::nn {

namespace F = functional;
using detail::python_float;
using detail::python_number;

namespace {
std::string inplace_suffix(bool inplace, bool first) {
  if (!inplace) return "";
  return first ? "inplace=True" : ", inplace=True";
}
}  // namespace

Tensor LeakyReLU::forward(const Tensor& x) { return F::leaky_relu(x, options); }
std::string LeakyReLU::extra_repr() const {
  return "negative_slope=" + python_float(options.negative_slope()) +
         inplace_suffix(options.inplace(), false);
}

Tensor ELU::forward(const Tensor& x) { return F::elu(x, options); }
std::string ELU::extra_repr() const {
  return "alpha=" + python_float(options.alpha()) + inplace_suffix(options.inplace(), false);
}

Tensor SELU::forward(const Tensor& x) { return F::selu(x, options.inplace()); }
std::string SELU::extra_repr() const { return inplace_suffix(options.inplace(), true); }

Tensor CELU::forward(const Tensor& x) { return F::celu(x, options); }
std::string CELU::extra_repr() const {
  return "alpha=" + python_float(options.alpha()) + inplace_suffix(options.inplace(), false);
}

Tensor GELU::forward(const Tensor& x) { return F::gelu(x, options); }
std::string GELU::extra_repr() const { return "approximate='" + options.approximate() + "'"; }

Tensor SiLU::forward(const Tensor& x) { return F::silu(x); }
Tensor Mish::forward(const Tensor& x) { return F::mish(x); }

Tensor Softplus::forward(const Tensor& x) { return F::softplus(x, options); }
std::string Softplus::extra_repr() const {
  return "beta=" + python_number(options.beta()) +
         ", threshold=" + python_number(options.threshold());
}

Tensor Softsign::forward(const Tensor& x) { return F::softsign(x); }

Tensor Hardtanh::forward(const Tensor& x) { return F::hardtanh(x, options); }
std::string Hardtanh::extra_repr() const {
  return "min_val=" + python_float(options.min_val()) +
         ", max_val=" + python_float(options.max_val()) + inplace_suffix(options.inplace(), false);
}

Tensor Hardsigmoid::forward(const Tensor& x) { return F::hardsigmoid(x); }
Tensor Hardswish::forward(const Tensor& x) { return F::hardswish(x); }

Tensor ReLU6::forward(const Tensor& x) { return F::relu6(x, options.inplace()); }
std::string ReLU6::extra_repr() const { return inplace_suffix(options.inplace(), true); }

Tensor LogSigmoid::forward(const Tensor& x) { return F::logsigmoid(x); }

PReLU::PReLU(const PReLUOptions& options_) : Module("PReLU"), options(options_) {
  GF_CHECK(options.num_parameters() >= 1, "PReLU: num_parameters must be positive, got ",
           options.num_parameters());
  weight = register_parameter("weight", full({options.num_parameters()}, options.init()));
}
Tensor PReLU::forward(const Tensor& x) { return F::prelu(x, weight); }
std::string PReLU::extra_repr() const {
  return "num_parameters=" + std::to_string(options.num_parameters());
}

Tensor GLU::forward(const Tensor& x) { return F::glu(x, options); }
std::string GLU::extra_repr() const { return "dim=" + std::to_string(options.dim()); }

}  // namespace gf::nn
