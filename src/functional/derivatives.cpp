// PLACEHOLDER — being written (jacobian, hessian, vjp, jvp, hvp).
#include "gradflow/autograd/functional.hpp"
namespace gf::autograd {
#define GF_COMMA ,
#define GF_TODO(sig) sig { detail::fail("not implemented yet"); }
GF_TODO(Tensor jacobian(const Fn&, const Tensor&, bool))
GF_TODO(Tensor hessian(const Fn&, const Tensor&))
GF_TODO(std::pair<Tensor GF_COMMA Tensor> vjp(const Fn&, const Tensor&, const Tensor&))
GF_TODO(std::pair<Tensor GF_COMMA Tensor> jvp(const Fn&, const Tensor&, const Tensor&))
GF_TODO(std::pair<Tensor GF_COMMA Tensor> hvp(const Fn&, const Tensor&, const Tensor&))
}  // namespace gf::autograd
