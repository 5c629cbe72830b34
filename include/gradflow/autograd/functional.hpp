// Functional derivatives (torch.autograd.functional) and numerical checks.
//   jacobian(f, x):   J[i..., j...] = d f(x)[i...] / d x[j...]; shape out.shape ++ x.shape
//   hessian(f, x):    H = d²f/dx² for f returning one element; shape x.shape ++ x.shape
//   vjp(f, x, v):     (f(x), vᵀ J)       jvp(f, x, v): (f(x), J v)
//   hvp(f, x, v):     (f(x), H v)        vhp(f, x, v): (f(x), vᵀ H)  (equal: H is symmetric)
//   numerical_gradient(f, x): central differences (f(x + eps e_i) - f(x - eps e_i)) / 2 eps
//   gradcheck: autograd's gradient against central differences for every input element;
//   gradgradcheck: the same for the gradient of sum(grad · v), i.e. second derivatives.
// Over several inputs (f takes a std::vector<Tensor>, like torch's tuple of inputs):
//   jacobian(f, {x, y})   -> {J_x, J_y}, J_i of shape f.shape ++ x_i.shape
//   hessian(f, {x, y})    -> {{H_xx, H_xy}, {H_yx, H_yy}}, H_ij of shape x_i.shape ++ x_j.shape
//   vjp(f, {x, y}, v)     -> (f, {vᵀ J_x, vᵀ J_y});   jvp(f, {x, y}, {v_x, v_y}) -> (f, Σ_i J_i
//   v_i) hvp / vhp(f, {x, y}, {v_x, v_y}) -> (f, {Σ_j H_ij v_j for each i})
// create_graph = false (the default): the results are plain tensors (detached). create_graph =
// true: they are recorded, so they can be differentiated again — w.r.t. the inputs when those
// require grad (torch's create_graph=True). An input the output does not depend on gets zeros.
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
Tensor hessian(const Fn& f, const Tensor& x, bool create_graph = false);
std::pair<Tensor, Tensor> vjp(const Fn& f, const Tensor& x, const Tensor& v,
                              bool create_graph = false);
std::pair<Tensor, Tensor> jvp(const Fn& f, const Tensor& x, const Tensor& v,
                              bool create_graph = false);
std::pair<Tensor, Tensor> hvp(const Fn& f, const Tensor& x, const Tensor& v,
                              bool create_graph = false);
std::pair<Tensor, Tensor> vhp(const Fn& f, const Tensor& x, const Tensor& v,
                              bool create_graph = false);

// Several inputs (the output is one tensor; hessian, hvp and vhp need one element).
std::vector<Tensor> jacobian(const MultiFn& f, const std::vector<Tensor>& inputs,
                             bool create_graph = false);
std::vector<std::vector<Tensor>> hessian(const MultiFn& f, const std::vector<Tensor>& inputs,
                                         bool create_graph = false);
std::pair<Tensor, std::vector<Tensor>> vjp(const MultiFn& f, const std::vector<Tensor>& inputs,
                                           const Tensor& v, bool create_graph = false);
std::pair<Tensor, Tensor> jvp(const MultiFn& f, const std::vector<Tensor>& inputs,
                              const std::vector<Tensor>& v, bool create_graph = false);
std::pair<Tensor, std::vector<Tensor>> hvp(const MultiFn& f, const std::vector<Tensor>& inputs,
                                           const std::vector<Tensor>& v, bool create_graph = false);
std::pair<Tensor, std::vector<Tensor>> vhp(const MultiFn& f, const std::vector<Tensor>& inputs,
                                           const std::vector<Tensor>& v, bool create_graph = false);

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
