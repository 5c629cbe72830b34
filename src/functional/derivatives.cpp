// Functional derivatives, like torch.autograd.functional, built on reverse mode only.
//   jacobian:  row k of J is the vector-Jacobian product e_kᵀ J, one autograd::grad per output
//              element (for all inputs at once) over one recorded forward (retain_graph), so f
//              runs once.
//   hessian:   H = J(∇f): the gradient is recorded (create_graph) and its Jacobian taken row by
//              row; block H_ij = d(∂f/∂x_i)/dx_j.
//   vjp:       vᵀ J = grad(f(x), x, v).
//   jvp:       J v by the double-vjp trick: g(u) = uᵀ J is linear in a dummy u, so
//              d/du <g(u), v> = J v   (grad of g w.r.t. u with grad_output v).
//   hvp, vhp:  vᵀ H = grad(∇f(x), x, v); H is symmetric, so H v = (vᵀ H)ᵀ and both are this.
// create_graph keeps every step recorded (the inputs f sees are then recorded aliases of inputs
// that require grad), so the results are differentiable again; otherwise they are detached.
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

void check_inputs(const std::vector<Tensor>& xs, const char* op) {
  GF_CHECK(!xs.empty(), op, ": expected at least one input");
  for (std::size_t i = 0; i < xs.size(); ++i) {
    GF_CHECK(xs[i].defined(), op, ": input ", i, " is an undefined tensor");
    GF_CHECK(is_floating(xs[i].dtype()), op, ": input ", i, " must be floating point, got ",
             dtype_name(xs[i].dtype()));
  }
}

// The tensor f is evaluated at: a fresh leaf, or (create_graph with an x that requires grad) a
// recorded alias of x, so that the result stays differentiable w.r.t. x itself.
Tensor differentiable_input(const Tensor& x, bool create_graph) {
  if (create_graph && x.requires_grad()) return reshape(x, x.sizes());
  return x.detach().requires_grad_();
}
std::vector<Tensor> differentiable_inputs(const std::vector<Tensor>& xs, bool create_graph) {
  std::vector<Tensor> r;
  for (const Tensor& x : xs) r.push_back(differentiable_input(x, create_graph));
  return r;
}

// A result: recorded with create_graph, detached otherwise.
Tensor post(const Tensor& t, bool create_graph) { return create_graph ? t : t.detach(); }

Shape concat(const Shape& a, const Shape& b) {
  Shape s = a;
  for (int64_t d : b) s.push_back(d);
  return s;
}

// autograd::grad with allow_unused, an unused input's gradient as zeros of its shape.
std::vector<Tensor> grads_or_zeros(const std::vector<Tensor>& outputs,
                                   const std::vector<Tensor>& xs,
                                   const std::vector<Tensor>& grad_outputs, bool retain_graph,
                                   bool create_graph) {
  std::vector<Tensor> g =
      grad(outputs, xs, grad_outputs, retain_graph, create_graph, /*allow_unused=*/true);
  for (std::size_t i = 0; i < g.size(); ++i)
    if (!g[i].defined()) g[i] = zeros(xs[i].sizes(), xs[i].dtype());
  return g;
}

// J_i[k, ...] = d y[k] / d x_i for every element k of y, one tensor of shape y.shape ++ x_i.shape
// per input. y must have been computed from the xs in grad mode. Without create_graph the rows
// are copied into preallocated results and the one-hot grad_output is one buffer reused for
// every row.
std::vector<Tensor> jacobian_of(const Tensor& y, const std::vector<Tensor>& xs, bool create_graph) {
  const int64_t m = y.numel();
  std::vector<Tensor> J;
  for (const Tensor& x : xs) J.push_back(zeros(concat(y.sizes(), x.sizes()), x.dtype()));
  if (!y.requires_grad() || m == 0) return J;  // y does not depend on the xs
  if (create_graph) {
    std::vector<std::vector<Tensor>> rows(xs.size());
    for (int64_t k = 0; k < m; ++k) {
      Tensor e = zeros(y.sizes(), y.dtype());  // fresh: a row may alias its grad_output
      dispatch_floating(e.dtype(), [&](auto tag) { e.data_ptr<decltype(tag)>()[k] = 1; });
      std::vector<Tensor> g = grads_or_zeros({y}, xs, {e}, /*retain_graph=*/true, true);
      for (std::size_t i = 0; i < xs.size(); ++i) rows[i].push_back(g[i].reshape({-1}));
    }
    for (std::size_t i = 0; i < xs.size(); ++i) J[i] = stack(rows[i], 0).reshape(J[i].sizes());
    return J;
  }
  Tensor e = zeros(y.sizes(), y.dtype());
  dispatch_floating(e.dtype(), [&](auto tag) {
    using T = decltype(tag);
    T* one_hot = e.data_ptr<T>();
    for (int64_t k = 0; k < m; ++k) {
      one_hot[k] = 1;
      std::vector<Tensor> g = grad({y}, xs, {e}, /*retain_graph=*/true, /*create_graph=*/false,
                                   /*allow_unused=*/true);
      for (std::size_t i = 0; i < xs.size(); ++i) {
        Tensor gi = g[i];
        if (!gi.defined()) continue;  // the row stays zero
        if (gi.dtype() != xs[i].dtype()) gi = gi.to(xs[i].dtype());
        if (!gi.is_contiguous()) gi = gi.contiguous();
        const std::size_t row_bytes =
            static_cast<std::size_t>(xs[i].numel()) * element_size(xs[i].dtype());
        std::memcpy(static_cast<char*>(J[i].impl().storage->data) + k * row_bytes,
                    static_cast<const char*>(gi.impl().storage->data) +
                        gi.storage_offset() * element_size(gi.dtype()),
                    row_bytes);  // before the reset below: g may alias the one-hot buffer
      }
      one_hot[k] = 0;
    }
  });
  return J;
}

// f at the inputs, checked to return one element (hessian, hvp, vhp).
Tensor scalar_output(const MultiFn& f, const std::vector<Tensor>& xin, const char* op) {
  Tensor y = f(xin);
  GF_CHECK(y.defined() && y.numel() == 1, op,
           ": f must return a tensor with one element, got shape ",
           y.defined() ? y.sizes() : Shape{});
  return y;
}

void check_vs(const std::vector<Tensor>& xs, const std::vector<Tensor>& v, const char* op) {
  GF_CHECK(v.size() == xs.size(), op, ": got ", v.size(), " vectors v for ", xs.size(), " inputs");
  for (std::size_t i = 0; i < xs.size(); ++i)
    GF_CHECK(v[i].defined() && v[i].sizes() == xs[i].sizes(), op, ": v[", i, "] has shape ",
             v[i].defined() ? v[i].sizes() : Shape{}, " but input ", i, " has shape ",
             xs[i].sizes());
}

// vᵀ H for every input block (hvp and vhp).
std::pair<Tensor, std::vector<Tensor>> vector_hessian(const MultiFn& f,
                                                      const std::vector<Tensor>& xs,
                                                      const std::vector<Tensor>& v,
                                                      bool create_graph, const char* op) {
  check_inputs(xs, op);
  check_vs(xs, v, op);
  AutoGradMode on(true);
  std::vector<Tensor> xin = differentiable_inputs(xs, create_graph);
  Tensor y = scalar_output(f, xin, op);
  std::vector<Tensor> zero;
  for (const Tensor& x : xs) zero.push_back(zeros(x.sizes(), x.dtype()));
  if (!y.requires_grad()) return {post(y, create_graph), zero};
  std::vector<Tensor> g = grad({y}, xin, {}, /*retain_graph=*/true, /*create_graph=*/true,
                               /*allow_unused=*/true);
  std::vector<Tensor> outs, gouts;
  for (std::size_t i = 0; i < g.size(); ++i)
    if (g[i].defined() && g[i].requires_grad()) {
      outs.push_back(g[i]);
      gouts.push_back(v[i].to(g[i].dtype()));
    }
  if (outs.empty()) return {post(y, create_graph), zero};  // f is linear in the xs
  std::vector<Tensor> hv = grads_or_zeros(outs, xin, gouts, create_graph, create_graph);
  for (Tensor& t : hv) t = post(t, create_graph);
  return {post(y, create_graph), hv};
}

}  // namespace

// ---- several inputs ----

std::vector<Tensor> jacobian(const MultiFn& f, const std::vector<Tensor>& inputs,
                             bool create_graph) {
  check_inputs(inputs, "jacobian");
  AutoGradMode on(true);
  std::vector<Tensor> xin = differentiable_inputs(inputs, create_graph);
  Tensor y = f(xin);
  GF_CHECK(y.defined(), "jacobian: f returned an undefined tensor");
  return jacobian_of(y, xin, create_graph);
}

std::vector<std::vector<Tensor>> hessian(const MultiFn& f, const std::vector<Tensor>& inputs,
                                         bool create_graph) {
  check_inputs(inputs, "hessian");
  AutoGradMode on(true);
  std::vector<Tensor> xin = differentiable_inputs(inputs, create_graph);
  Tensor y = scalar_output(f, xin, "hessian");
  std::vector<std::vector<Tensor>> H(inputs.size());
  std::vector<Tensor> g(inputs.size());
  if (y.requires_grad())
    g = grad({y}, xin, {}, /*retain_graph=*/true, /*create_graph=*/true, /*allow_unused=*/true);
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    if (g[i].defined()) {
      H[i] = jacobian_of(g[i], xin, create_graph);  // zeros when g_i is constant (f linear)
    } else {
      for (const Tensor& x : inputs)
        H[i].push_back(zeros(concat(inputs[i].sizes(), x.sizes()), x.dtype()));
    }
  }
  return H;
}

std::pair<Tensor, std::vector<Tensor>> vjp(const MultiFn& f, const std::vector<Tensor>& inputs,
                                           const Tensor& v, bool create_graph) {
  check_inputs(inputs, "vjp");
  AutoGradMode on(true);
  std::vector<Tensor> xin = differentiable_inputs(inputs, create_graph);
  Tensor y = f(xin);
  GF_CHECK(y.defined(), "vjp: f returned an undefined tensor");
  GF_CHECK(v.defined() && v.sizes() == y.sizes(), "vjp: v has shape ",
           v.defined() ? v.sizes() : Shape{}, " but f(x) has shape ", y.sizes());
  std::vector<Tensor> g;
  if (!y.requires_grad()) {
    for (const Tensor& x : inputs) g.push_back(zeros(x.sizes(), x.dtype()));
    return {post(y, create_graph), g};
  }
  g = grads_or_zeros({y}, xin, {v.to(y.dtype())}, create_graph, create_graph);
  for (Tensor& t : g) t = post(t, create_graph);
  return {post(y, create_graph), g};
}

std::pair<Tensor, Tensor> jvp(const MultiFn& f, const std::vector<Tensor>& inputs,
                              const std::vector<Tensor>& v, bool create_graph) {
  check_inputs(inputs, "jvp");
  check_vs(inputs, v, "jvp");
  AutoGradMode on(true);
  std::vector<Tensor> xin = differentiable_inputs(inputs, create_graph);
  Tensor y = f(xin);
  GF_CHECK(y.defined(), "jvp: f returned an undefined tensor");
  Tensor zero = zeros(y.sizes(), inputs[0].dtype());
  if (!y.requires_grad()) return {post(y, create_graph), zero};
  Tensor u = zeros(y.sizes(), y.dtype()).requires_grad_();  // dummy: g(u) = uᵀ J
  std::vector<Tensor> g = grad({y}, xin, {u}, /*retain_graph=*/true, /*create_graph=*/true,
                               /*allow_unused=*/true);
  std::vector<Tensor> outs, gouts;
  for (std::size_t i = 0; i < g.size(); ++i)
    if (g[i].defined() && g[i].requires_grad()) {
      outs.push_back(g[i]);
      gouts.push_back(v[i].to(g[i].dtype()));
    }
  if (outs.empty()) return {post(y, create_graph), zero};
  Tensor jv = grads_or_zeros(outs, {u}, gouts, create_graph, create_graph)[0];
  return {post(y, create_graph), post(jv, create_graph)};
}

std::pair<Tensor, std::vector<Tensor>> hvp(const MultiFn& f, const std::vector<Tensor>& inputs,
                                           const std::vector<Tensor>& v, bool create_graph) {
  return vector_hessian(f, inputs, v, create_graph, "hvp");
}

std::pair<Tensor, std::vector<Tensor>> vhp(const MultiFn& f, const std::vector<Tensor>& inputs,
                                           const std::vector<Tensor>& v, bool create_graph) {
  return vector_hessian(f, inputs, v, create_graph, "vhp");
}

// ---- one input: the same, with f taking and the results being single tensors ----

namespace {
MultiFn on_first(const Fn& f) {
  return [f](const std::vector<Tensor>& xs) { return f(xs[0]); };
}
}  // namespace

Tensor jacobian(const Fn& f, const Tensor& x, bool create_graph) {
  check_input(x, "jacobian");
  return jacobian(on_first(f), std::vector<Tensor>{x}, create_graph)[0];
}

Tensor hessian(const Fn& f, const Tensor& x, bool create_graph) {
  check_input(x, "hessian");
  return hessian(on_first(f), std::vector<Tensor>{x}, create_graph)[0][0];
}

std::pair<Tensor, Tensor> vjp(const Fn& f, const Tensor& x, const Tensor& v, bool create_graph) {
  check_input(x, "vjp");
  auto [y, g] = vjp(on_first(f), std::vector<Tensor>{x}, v, create_graph);
  return {y, g[0]};
}

std::pair<Tensor, Tensor> jvp(const Fn& f, const Tensor& x, const Tensor& v, bool create_graph) {
  check_input(x, "jvp");
  GF_CHECK(v.defined() && v.sizes() == x.sizes(), "jvp: v has shape ",
           v.defined() ? v.sizes() : Shape{}, " but x has shape ", x.sizes());
  return jvp(on_first(f), std::vector<Tensor>{x}, std::vector<Tensor>{v}, create_graph);
}

std::pair<Tensor, Tensor> hvp(const Fn& f, const Tensor& x, const Tensor& v, bool create_graph) {
  check_input(x, "hvp");
  GF_CHECK(v.defined() && v.sizes() == x.sizes(), "hvp: v has shape ",
           v.defined() ? v.sizes() : Shape{}, " but x has shape ", x.sizes());
  auto [y, g] = hvp(on_first(f), std::vector<Tensor>{x}, std::vector<Tensor>{v}, create_graph);
  return {y, g[0]};
}

std::pair<Tensor, Tensor> vhp(const Fn& f, const Tensor& x, const Tensor& v, bool create_graph) {
  check_input(x, "vhp");
  GF_CHECK(v.defined() && v.sizes() == x.sizes(), "vhp: v has shape ",
           v.defined() ? v.sizes() : Shape{}, " but x has shape ", x.sizes());
  auto [y, g] = vhp(on_first(f), std::vector<Tensor>{x}, std::vector<Tensor>{v}, create_graph);
  return {y, g[0]};
}

}  // namespace gf::autograd
