// Functional derivatives, like torch.autograd.functional, built on reverse mode only.
//   jacobian:  row k of J is the vector-Jacobian product e_kᵀ J, one autograd::grad per output
//              element over one recorded forward (retain_graph), so f runs once.
//   hessian:   H = J(∇f): the gradient is recorded (create_graph) and its Jacobian taken row by
//   row. vjp:       vᵀ J = grad(f(x), x, v). jvp:       J v by the double-vjp trick: g(u) = uᵀ J is
//   linear in a dummy u, so
//              d/du <g(u), v> = J v   (grad of g w.r.t. u with grad_output v).
//   hvp:       H v = grad(∇f(x), x, v)   (H is symmetric, so vᵀ H = (H v)ᵀ).
#include <cstring>

#include "gradflow/autograd/engine.hpp"
#include "gradflow/autograd/functional.hpp"
#include "gradflow/factories.hpp"
#include "gradflow/ops.hpp"

namespace gf::autograd {

namespace {

void check_input(const Tensor& x, const char* op) {
  GF_CHECK(x.defined(), op, ": x is an undefined tensor");
  GF_CHECK(is_floating(x.dtype()), op, ": x must be floating point, got ", dtype_name(x.dtype()));
}

// The tensor f is evaluated at: a fresh leaf, or (create_graph with an x that requires grad) a
// recorded alias of x, so that the result stays differentiable w.r.t. x itself.
Tensor differentiable_input(const Tensor& x, bool create_graph) {
  if (create_graph && x.requires_grad()) return reshape(x, x.sizes());
  return x.detach().requires_grad_();
}

Shape concat(const Shape& a, const Shape& b) {
  Shape s = a;
  for (int64_t d : b) s.push_back(d);
  return s;
}

// J[k, ...] = d y[k] / d x for every element k of y, as a tensor of shape y.shape ++ x.shape.
// y must have been computed from x in grad mode. Without create_graph the rows are copied into
// one preallocated result and the one-hot grad_output is a single buffer reused for every row.
Tensor jacobian_of(const Tensor& y, const Tensor& x, bool create_graph) {
  const Shape out_shape = concat(y.sizes(), x.sizes());
  const int64_t m = y.numel(), n = x.numel();
  if (!y.requires_grad()) return zeros(out_shape, x.dtype());  // y does not depend on x
  if (create_graph) {
    std::vector<Tensor> rows;
    rows.reserve(m);
    for (int64_t k = 0; k < m; ++k) {
      Tensor e = zeros(y.sizes(), y.dtype());  // fresh: a row may alias its grad_output
      dispatch_floating(e.dtype(), [&](auto tag) { e.data_ptr<decltype(tag)>()[k] = 1; });
      Tensor g = grad({y}, {x}, {e}, /*retain_graph=*/true, /*create_graph=*/true,
                      /*allow_unused=*/true)[0];
      rows.push_back(g.defined() ? g.reshape({n}) : zeros({n}, x.dtype()));
    }
    if (m == 0) return zeros(out_shape, x.dtype());
    return stack(rows, 0).reshape(out_shape);
  }
  Tensor J = zeros(out_shape, x.dtype());
  Tensor e = zeros(y.sizes(), y.dtype());
  const std::size_t row_bytes = static_cast<std::size_t>(n) * element_size(x.dtype());
  auto* out = static_cast<char*>(J.impl().storage->data);
  dispatch_floating(e.dtype(), [&](auto tag) {
    using T = decltype(tag);
    T* one_hot = e.data_ptr<T>();
    for (int64_t k = 0; k < m; ++k) {
      one_hot[k] = 1;
      Tensor g = grad({y}, {x}, {e}, /*retain_graph=*/true, /*create_graph=*/false,
                      /*allow_unused=*/true)[0];
      if (g.defined()) {  // else the row stays zero
        if (g.dtype() != x.dtype()) g = g.to(x.dtype());
        if (!g.is_contiguous()) g = g.contiguous();
        std::memcpy(out + k * row_bytes,
                    static_cast<const char*>(g.impl().storage->data) +
                        g.storage_offset() * element_size(g.dtype()),
                    row_bytes);  // before the reset below: g may alias the one-hot buffer
      }
      one_hot[k] = 0;
    }
  });
  return J;
}

}  // namespace

Tensor jacobian(const Fn& f, const Tensor& x, bool create_graph) {
  check_input(x, "jacobian");
  AutoGradMode on(true);
  Tensor xin = differentiable_input(x, create_graph);
  Tensor y = f(xin);
  GF_CHECK(y.defined(), "jacobian: f returned an undefined tensor");
  return jacobian_of(y, xin, create_graph);
}

Tensor hessian(const Fn& f, const Tensor& x) {
  check_input(x, "hessian");
  AutoGradMode on(true);
  Tensor xin = x.detach().requires_grad_();
  Tensor y = f(xin);
  GF_CHECK(y.defined() && y.numel() == 1,
           "hessian: f must return a tensor with one element, got "
           "shape ",
           y.defined() ? y.sizes() : Shape{});
  const Shape h_shape = concat(x.sizes(), x.sizes());
  if (!y.requires_grad()) return zeros(h_shape, x.dtype());
  Tensor g = grad({y}, {xin}, {}, /*retain_graph=*/true, /*create_graph=*/true,
                  /*allow_unused=*/true)[0];
  if (!g.defined()) return zeros(h_shape, x.dtype());
  return jacobian_of(g, xin, /*create_graph=*/false);  // zeros when g is constant (f linear)
}

std::pair<Tensor, Tensor> vjp(const Fn& f, const Tensor& x, const Tensor& v) {
  check_input(x, "vjp");
  AutoGradMode on(true);
  Tensor xin = x.detach().requires_grad_();
  Tensor y = f(xin);
  GF_CHECK(v.defined() && v.sizes() == y.sizes(), "vjp: v has shape ",
           v.defined() ? v.sizes() : Shape{}, " but f(x) has shape ", y.sizes());
  if (!y.requires_grad()) return {y.detach(), zeros_like(x)};
  Tensor g = grad({y}, {xin}, {v}, false, false, /*allow_unused=*/true)[0];
  return {y.detach(), g.defined() ? g.detach() : zeros_like(x)};
}

std::pair<Tensor, Tensor> jvp(const Fn& f, const Tensor& x, const Tensor& v) {
  check_input(x, "jvp");
  GF_CHECK(v.defined() && v.sizes() == x.sizes(), "jvp: v has shape ",
           v.defined() ? v.sizes() : Shape{}, " but x has shape ", x.sizes());
  AutoGradMode on(true);
  Tensor xin = x.detach().requires_grad_();
  Tensor y = f(xin);
  if (!y.requires_grad()) return {y.detach(), zeros(y.sizes(), x.dtype())};
  Tensor u = zeros(y.sizes(), y.dtype()).requires_grad_();  // dummy: g(u) = uᵀ J
  Tensor g = grad({y}, {xin}, {u}, /*retain_graph=*/true, /*create_graph=*/true,
                  /*allow_unused=*/true)[0];
  if (!g.defined() || !g.requires_grad()) return {y.detach(), zeros(y.sizes(), x.dtype())};
  Tensor jv = grad({g}, {u}, {v.to(g.dtype())}, false, false, /*allow_unused=*/true)[0];
  return {y.detach(), jv.defined() ? jv.detach() : zeros(y.sizes(), x.dtype())};
}

std::pair<Tensor, Tensor> hvp(const Fn& f, const Tensor& x, const Tensor& v) {
  check_input(x, "hvp");
  GF_CHECK(v.defined() && v.sizes() == x.sizes(), "hvp: v has shape ",
           v.defined() ? v.sizes() : Shape{}, " but x has shape ", x.sizes());
  AutoGradMode on(true);
  Tensor xin = x.detach().requires_grad_();
  Tensor y = f(xin);
  GF_CHECK(y.numel() == 1, "hvp: f must return a tensor with one element, got shape ", y.sizes());
  if (!y.requires_grad()) return {y.detach(), zeros_like(x)};
  Tensor g = grad({y}, {xin}, {}, /*retain_graph=*/true, /*create_graph=*/true,
                  /*allow_unused=*/true)[0];
  if (!g.defined() || !g.requires_grad()) return {y.detach(), zeros_like(x)};
  Tensor hv = grad({g}, {xin}, {v.to(g.dtype())}, false, false, /*allow_unused=*/true)[0];
  return {y.detach(), hv.defined() ? hv.detach() : zeros_like(x)};
}

}  // namespace gf::autograd
