// PLACEHOLDER — being written (exp, log, sqrt, abs, pow, relu, sigmoid, tanh, clamp, where).
#include "gradflow/ops.hpp"
namespace gf {
#define GF_TODO(sig) sig { detail::fail("not implemented yet: " #sig); }
GF_TODO(Tensor exp(const Tensor&))
GF_TODO(Tensor log(const Tensor&))
GF_TODO(Tensor sqrt(const Tensor&))
GF_TODO(Tensor abs(const Tensor&))
GF_TODO(Tensor pow(const Tensor&, double))
GF_TODO(Tensor pow(const Tensor&, const Tensor&))
GF_TODO(Tensor relu(const Tensor&))
GF_TODO(Tensor sigmoid(const Tensor&))
GF_TODO(Tensor tanh(const Tensor&))
GF_TODO(Tensor clamp(const Tensor&, double, double))
GF_TODO(Tensor where(const Tensor&, const Tensor&, const Tensor&))
}  // namespace gf
