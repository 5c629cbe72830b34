// Numerical gradients by central differences and the checks built on them.
//   d f / d x_j  ≈  (f(x + eps e_j) - f(x - eps e_j)) / (2 eps)      error O(eps²)
#include <cmath>
#include <sstream>

#include "gradflow/autograd/engine.hpp"
#include "gradflow/autograd/functional.hpp"
#include "gradflow/factories.hpp"
#include "gradflow/generator.hpp"
#include "gradflow/ops.hpp"

namespace gf::autograd {

namespace {

// Flat index -> "[i, j, ...]" for reports.
std::string index_str(const Shape& shape, int64_t flat) {
  std::ostringstream out;
  Shape st = contiguous_strides(shape);
  out << '[';
  for (std::size_t d = 0; d < shape.size(); ++d) {
    out << (d ? ", " : "") << flat / st[d];
    flat %= st[d];
  }
  return out.str() + ']';
}

// Evaluates f on copies of inputs in which element j of input i is moved by delta.
std::vector<double> eval_shifted(const MultiFn& f, const std::vector<Tensor>& base, std::size_t i,
                                 int64_t j, double delta) {
  NoGradGuard no_grad;
  std::vector<Tensor> xs = base;
  xs[i] = base[i].clone();
  dispatch_floating(xs[i].dtype(), [&](auto tag) {
    using T = decltype(tag);
    xs[i].data_ptr<T>()[j] += static_cast<T>(delta);
  });
  return f(xs).tolist();
}

}  // namespace

Tensor numerical_gradient(const Fn& f, const Tensor& x, double eps) {
  GF_CHECK(is_floating(x.dtype()), "numerical_gradient: x must be floating point, got ",
           dtype_name(x.dtype()));
  Tensor base = x.detach().clone();
  Tensor out = empty(x.sizes(), x.dtype());
  MultiFn g = [&](const std::vector<Tensor>& xs) { return f(xs[0]); };
  for (int64_t j = 0; j < x.numel(); ++j) {
    auto plus = eval_shifted(g, {base}, 0, j, eps);
    auto minus = eval_shifted(g, {base}, 0, j, -eps);
    GF_CHECK(plus.size() == 1, "numerical_gradient: f must return one element, got ", plus.size());
    double d = (plus[0] - minus[0]) / (2 * eps);
    dispatch_floating(x.dtype(), [&](auto tag) {
      using T = decltype(tag);
      out.data_ptr<T>()[j] = static_cast<T>(d);
    });
  }
  return out;
}

GradcheckResult gradcheck(const MultiFn& f, const std::vector<Tensor>& inputs, double eps,
                          double atol, double rtol) {
  // leaves we own: contiguous copies that require grad where the caller's did
  std::vector<Tensor> xs;
  for (const Tensor& in : inputs) {
    Tensor c = in.detach().clone();
    if (in.requires_grad()) c.requires_grad_();
    xs.push_back(c);
  }
  std::vector<std::size_t> checked;
  std::vector<Tensor> wrt;
  for (std::size_t i = 0; i < xs.size(); ++i)
    if (xs[i].requires_grad()) {
      checked.push_back(i);
      wrt.push_back(xs[i]);
    }
  GF_CHECK(!wrt.empty(), "gradcheck: no input requires grad");

  Tensor out = f(xs);
  const int64_t m = out.numel();
  // analytic Jacobian, one row per output element: J[k] = grad(out, inputs, e_k)
  std::vector<std::vector<std::vector<double>>> analytic(m);  // [k][input][element]
  for (int64_t k = 0; k < m; ++k) {
    std::vector<double> e(m, 0.0);
    e[k] = 1.0;
    std::vector<Tensor> g;
    if (out.requires_grad()) {
      g = grad({out}, wrt, {tensor(e, out.sizes(), out.dtype())}, /*retain_graph=*/true,
               /*create_graph=*/false, /*allow_unused=*/true);
    } else {
      g.resize(wrt.size());
    }
    for (std::size_t w = 0; w < wrt.size(); ++w)
      analytic[k].push_back(g[w].defined() ? g[w].tolist()
                                           : std::vector<double>(wrt[w].numel(), 0.0));
  }

  GradcheckResult result;
  double worst_excess = 0;
  std::ostringstream worst;
  std::vector<Tensor> base;
  for (const Tensor& x : xs) base.push_back(x.detach());
  for (std::size_t w = 0; w < wrt.size(); ++w) {
    std::size_t i = checked[w];
    for (int64_t j = 0; j < xs[i].numel(); ++j) {
      auto plus = eval_shifted(f, base, i, j, eps);
      auto minus = eval_shifted(f, base, i, j, -eps);
      for (int64_t k = 0; k < m; ++k) {
        double num = (plus[k] - minus[k]) / (2 * eps);
        double ana = analytic[k][w][j];
        double abs_err = std::fabs(ana - num);
        double rel_err = abs_err / std::max(std::fabs(num), 1e-12);
        bool finite = std::isfinite(ana) == std::isfinite(num);
        result.max_abs_error = std::max(result.max_abs_error, abs_err);
        if (abs_err > atol) result.max_rel_error = std::max(result.max_rel_error, rel_err);
        double excess = abs_err - (atol + rtol * std::fabs(num));
        if (!finite || excess > 0) {
          result.ok = false;
          if (!finite || excess > worst_excess) {
            worst_excess = finite ? excess : INFINITY;
            worst.str("");
            worst << "gradcheck: Jacobian mismatch for output element " << index_str(out.sizes(), k)
                  << " with respect to input " << i << " element "
                  << index_str(xs[i].sizes(), j) << ": analytic " << ana << ", numeric " << num
                  << " (abs error " << abs_err << ", allowed " << atol + rtol * std::fabs(num)
                  << ")";
          }
        }
      }
    }
  }
  result.report = result.ok ? "gradcheck: ok" : worst.str();
  return result;
}

// Second derivatives: for each input i, checks G_i(x) = d/dx_i <f(x), v> (computed with
// create_graph) against central differences of G_i; v is a fixed random direction.
GradcheckResult gradgradcheck(const MultiFn& f, const std::vector<Tensor>& inputs, double eps,
                              double atol, double rtol) {
  Tensor probe;
  {
    NoGradGuard no_grad;
    std::vector<Tensor> xs;
    for (const Tensor& in : inputs) xs.push_back(in.detach());
    probe = f(xs);
  }
  Generator gen(1234);
  std::vector<double> vv(probe.numel());
  for (double& x : vv) x = gen.normal();
  Tensor v = tensor(vv, probe.sizes(), probe.dtype());

  GradcheckResult total;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    if (!inputs[i].requires_grad()) continue;
    MultiFn grad_i = [&, i](const std::vector<Tensor>& given) {
      // Analytic pass: grad mode is on and `given` are gradcheck's leaves: record (create_graph).
      // Numeric pass: grad mode is off and `given` are plain copies: make leaves, no recording.
      const bool create = is_grad_enabled();
      AutoGradMode on(true);
      std::vector<Tensor> xs = given, wrt;
      for (std::size_t k = 0; k < xs.size(); ++k) {
        if (!create && inputs[k].requires_grad()) xs[k] = given[k].detach().requires_grad_();
        if (xs[k].requires_grad()) wrt.push_back(xs[k]);
      }
      Tensor y = f(xs);
      if (!y.requires_grad()) return zeros_like(xs[i]);
      std::size_t w = 0;
      for (std::size_t k = 0; k < i; ++k) w += xs[k].requires_grad() ? 1 : 0;
      auto g = grad({y}, wrt, {v}, true, create, true);
      return g[w].defined() ? (create ? g[w] : g[w].detach()) : zeros_like(xs[i]);
    };
    GradcheckResult r = gradcheck(grad_i, inputs, eps, atol, rtol);
    total.max_abs_error = std::max(total.max_abs_error, r.max_abs_error);
    total.max_rel_error = std::max(total.max_rel_error, r.max_rel_error);
    if (!r.ok && total.ok) {
      total.ok = false;
      total.report = "gradgradcheck (gradient w.r.t. input " + std::to_string(i) + "): " + r.report;
    }
  }
  if (total.ok) total.report = "gradgradcheck: ok";
  return total;
}

}  // namespace gf::autograd
