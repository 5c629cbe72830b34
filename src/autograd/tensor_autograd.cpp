// The Tensor methods of autograd: requires_grad, .grad, retain_grad, grad_fn_name, backward.
#include "gradflow/autograd/engine.hpp"
#include "gradflow/autograd/node.hpp"
#include "gradflow/tensor.hpp"

namespace gf {

// On a tensor with history, requires_grad_(true) is a no-op (it already requires grad); only
// turning it off is an error, as in torch.
Tensor& Tensor::requires_grad_(bool on) {
  if (!is_leaf()) {
    GF_CHECK(on, "requires_grad_: you can only change requires_grad flags of leaf variables "
             "(this tensor has grad_fn=", grad_fn_name(), "). If you want to use a computed "
             "variable in a subgraph that doesn't require differentiation use "
             "var_no_grad = var.detach().");
    return *this;
  }
  GF_CHECK(!on || is_floating(dtype()),
           "requires_grad_: only Tensors of floating point dtype can require gradients (got ",
           dtype_name(dtype()), ")");
  impl().requires_grad = on;
  return *this;
}

Tensor Tensor::grad() const { return Tensor(impl().grad); }
// torch's checks on `x.grad = g`: same dtype, same size, not x itself; undefined clears it.
void Tensor::set_grad(const Tensor& g) {
  if (g.defined()) {
    GF_CHECK(g.impl_ptr() != impl_, "set_grad: can't assign Variable as its own grad");
    GF_CHECK(g.dtype() == dtype(), "set_grad: assigned grad has data of a different type (",
             dtype_name(g.dtype()), " for a tensor of ", dtype_name(dtype()), ")");
    GF_CHECK(g.sizes() == sizes(), "set_grad: assigned grad has data of a different size (",
             g.sizes(), " for a tensor of ", sizes(), ")");
  }
  impl().grad = g.impl_ptr();
}
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
