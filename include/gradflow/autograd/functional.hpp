// Functional derivatives (torch.autograd.functional) and numerical checks.
//   jacobian(f, x):   J[i..., j...] = d f(x)[i...] / d x[j...]; shape out.shape ++ x.shape
//   hessian(f, x):    H = d²f/dx² for f returning one element; shape x.shape ++ x.shape
//   vjp(f, x, v):     (f(x), vᵀ J)       jvp(f, x, v): (f(x), J v)      hvp: (f(x), H v)
//   numerical_gradient(f, x): central differences (f(x + eps e_i) - f(x - eps e_i)) / 2 eps
//   gradcheck: autograd's gradient against central differences for every input element;
//   gradgradcheck: the same for the gradient of sum(grad · v), i.e. second derivatives.
#pragma once
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "gradflow/tensor.hpp"

namespace gf::autograd {

using Fn = std::function<Tensor(const Tensor&)>;
using MultiFn = std::function<Tensor(const std::vector<Tensor>&)>;

Tensor jacobian(const Fn& f, const Tensor& x, bool create_graph = false);
Tensor hessian(const Fn& f, const Tensor& x);
std::pair<Tensor, Tensor> vjp(const Fn& f, const Tensor& x, const Tensor& v);
std::pair<Tensor, Tensor> jvp(const Fn& f, const Tensor& x, const Tensor& v);
std::pair<Tensor, Tensor> hvp(const Fn& f, const Tensor& x, const Tensor& v);

// d f(x) / dx by central differences, for f returning one element; same shape and dtype as x.
Tensor numerical_gradient(const Fn& f, const Tensor& x, double eps = 1e-6);

struct GradcheckResult {
  bool ok = true;
  double max_abs_error = 0;
  double max_rel_error = 0;
  std::string report;  // on failure: the worst element (input, index, analytic, numeric)
};

// Checks every output element's gradient w.r.t. every element of the inputs that require grad,
// in float64 (inputs should be Float64). An element passes when |a - n| <= atol + rtol |n|.
GradcheckResult gradcheck(const MultiFn& f, const std::vector<Tensor>& inputs, double eps = 1e-6,
                          double atol = 1e-5, double rtol = 1e-3);
GradcheckResult gradgradcheck(const MultiFn& f, const std::vector<Tensor>& inputs,
                              double eps = 1e-6, double atol = 1e-5, double rtol = 1e-3);

}  // namespace gf::autograd
