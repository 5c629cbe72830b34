// The Tensor methods of autograd: requires_grad, .grad, retain_grad, grad_fn_name, backward.
#include "gradflow/autograd/engine.hpp"
#include "gradflow/autograd/node.hpp"
#include "gradflow/tensor.hpp"

namespace gf {

bool Tensor::requires_grad() const { return impl().requires_grad || impl().grad_fn != nullptr; }

Tensor& Tensor::requires_grad_(bool on) {
  GF_CHECK(is_leaf(),
           "requires_grad_: you can only change requires_grad flags of leaf variables "
           "(this tensor has grad_fn=",
           grad_fn_name(), ")");
  GF_CHECK(!on || is_floating(dtype()),
           "requires_grad_: only tensors of floating point dtype can require gradients, got ",
           dtype_name(dtype()));
  impl().requires_grad = on;
  return *this;
}

Tensor Tensor::grad() const { return Tensor(impl().grad); }
void Tensor::set_grad(const Tensor& g) { impl().grad = g.impl_ptr(); }
void Tensor::zero_grad() { impl().grad.reset(); }
void Tensor::retain_grad() {
  if (is_leaf()) return;
  impl().retains_grad = true;
  grad_fn()->retained_output = impl_;
}

std::string Tensor::grad_fn_name() const { return grad_fn() ? grad_fn()->name() : ""; }

void Tensor::backward(const Tensor& gradient, bool retain_graph, bool create_graph) const {
  autograd::backward({*this},
                     gradient.defined() ? std::vector<Tensor>{gradient} : std::vector<Tensor>{},
                     retain_graph, create_graph);
}

}  // namespace gf
