// Elementwise math: exp, log, log1p, sqrt, abs, sign, pow, square, relu, sigmoid, tanh, clamp
// (where, maximum and minimum are in where.cpp). Each op is one block: the derivative, the forward
// through kernels:: (a flat vectorizable loop on contiguous inputs) and its record(), whose
// backward is written with differentiable ops (so create_graph gives second derivatives). Int64
// inputs to exp/log/log1p/sqrt/sigmoid/tanh promote to the default float dtype, like PyTorch.
//
// The backward of relu, sigmoid, tanh and clamp goes through small fused internal ops
// (threshold_backward, sigmoid_backward, tanh_backward, clamp_backward): one kernel instead of
// three on the training hot path, each itself differentiable.
#include <cmath>
#include <limits>

#include "../kernels/elementwise.hpp"
#include "../kernels/vmath.hpp"
#include "gradflow/autograd/node.hpp"
#include "gradflow/factories.hpp"
#include "gradflow/ops.hpp"
#include "registry.hpp"

namespace gf {

using autograd::Backward;
using autograd::Grads;

namespace {

Tensor to_floating(const Tensor& x) { return is_floating(x.dtype()) ? x : x.to(default_dtype()); }

Tensor zero_like_scalar(const Tensor& g) { return scalar_tensor(0, g.dtype()); }

// ---- fused backward kernels (internal, differentiable) ----

// threshold_backward(g, y) = g where y > 0 else 0; linear in g, so its own backward is
// threshold_backward(gg, y), and zero w.r.t. y (piecewise constant). Like PyTorch, it stays
// connected to y, so the gradient of relu requires grad under create_graph.
Tensor threshold_backward(const Tensor& g, const Tensor& y) {
  Tensor r = kernels::binary(
      g, y, [](auto gv, auto v) { return v <= 0 ? decltype(gv){0} : gv; }, "relu backward");
  // the mask is saved detached: no gradient flows through it
  autograd::record(r, "ThresholdBackwardBackward0", {g, y}, {{"self", y.detach()}},
                   [](const Backward& bw, const Tensor& y) -> Grads {
                     return {bw.needs(0) ? threshold_backward(bw.grad(), y) : Tensor(),
                             bw.needs(1) ? zeros_like(y) : Tensor()};
                   });
  return r;
}

// clamp_backward(g, x) = g where lo <= x <= hi else 0; linear in g like threshold_backward.
Tensor clamp_backward(const Tensor& g, const Tensor& x, double lo, double hi) {
  Tensor r = kernels::binary(
      g, x, [=](auto gv, auto v) { return v >= lo && v <= hi ? gv : decltype(gv){0}; },
      "clamp backward");
  autograd::record(r, "ClampBackwardBackward0", {g}, {{"self", x.detach()}},
                   [lo, hi](const Tensor& gg, const Tensor& x) -> Grads {
                     return {clamp_backward(gg, x, lo, hi)};
                   });
  return r;
}

// sigmoid_backward(g, s) = g s (1 - s)
//   d/dg = s (1 - s)            -> sigmoid_backward(gg, s)
//   d/ds = g (1 - 2 s)          -> gg g (1 - 2 s)
Tensor sigmoid_backward(const Tensor& g, const Tensor& s) {
  Tensor r = kernels::binary(
      g, s, [](auto gv, auto y) { return gv * y * (decltype(y){1} - y); }, "sigmoid backward");
  autograd::record(r, "SigmoidBackwardBackward0", {g, s}, {{"grad_output", g}, {"output", s}},
                   [](const Backward& bw, const Tensor& g, const Tensor& s) -> Grads {
                     const Tensor& gg = bw.grad();
                     return {bw.needs(0) ? sigmoid_backward(gg, s) : Tensor(),
                             bw.needs(1) ? gg * g * (1.0 - 2.0 * s) : Tensor()};
                   });
  return r;
}

// tanh_backward(g, t) = g (1 - t²)
//   d/dg = 1 - t²               -> tanh_backward(gg, t)
//   d/dt = -2 g t               -> -2 gg g t
Tensor tanh_backward(const Tensor& g, const Tensor& t) {
  Tensor r = kernels::binary(
      g, t, [](auto gv, auto y) { return gv * (decltype(y){1} - y * y); }, "tanh backward");
  autograd::record(r, "TanhBackwardBackward0", {g, t}, {{"grad_output", g}, {"output", t}},
                   [](const Backward& bw, const Tensor& g, const Tensor& t) -> Grads {
                     const Tensor& gg = bw.grad();
                     return {bw.needs(0) ? tanh_backward(gg, t) : Tensor(),
                             bw.needs(1) ? gg * g * t * -2.0 : Tensor()};
                   });
  return r;
}

Tensor pow_forward(const Tensor& x, double p) {
  if (p == 1) return kernels::unary(x, [](auto v) { return v; });
  if (p == 2) return kernels::unary(x, [](auto v) { return v * v; });
  if (p == 3) return kernels::unary(x, [](auto v) { return v * v * v; });
  if (p == 0.5) return kernels::unary(x, [](auto v) { return std::sqrt(v); });
  if (p == -1) return kernels::unary(x, [](auto v) { return decltype(v){1} / v; });
  return kernels::unary(x, [=](auto v) { return std::pow(v, static_cast<decltype(v)>(p)); });
}

// x^p in an integer dtype by repeated squaring (wrapping like C, as torch's integer pow).
template <class T>
T int_pow(T base, int64_t e) {
  T r = 1;
  while (e > 0) {
    if (e & 1) r = static_cast<T>(r * base);
    base = static_cast<T>(base * base);
    e >>= 1;
  }
  return r;
}

// Integer tensors to integer powers stay integers, like torch; negative powers are refused.
Tensor int_pow_tensor(const Tensor& x, const Tensor& p) {
  DType dt = result_type(x, p);
  dispatch_numeric(p.dtype(), [&](auto tag) {
    using E = decltype(tag);
    Tensor pc = p.contiguous();
    const E* e = pc.template data_ptr<E>();
    for (int64_t i = 0, n = pc.numel(); i < n; ++i)
      GF_CHECK(!(e[i] < E{0}), "pow: Integers to negative integer powers are not allowed (got "
               "exponent ", static_cast<int64_t>(e[i]), ")");
  });
  Tensor a = x.dtype() == dt ? x : x.to(dt);
  Tensor b = p.dtype() == dt ? p : p.to(dt);
  return kernels::binary(
      a, b, [](auto u, auto v) { return int_pow(u, static_cast<int64_t>(v)); }, "pow");
}

}  // namespace

// d exp(x)/dx = exp(x)              (saves the output)
Tensor exp(const Tensor& x0) {
  Tensor x = to_floating(x0);
  Tensor out = kernels::vector_unary(x, kernels::VectorFn::Exp);
  autograd::record(out, "ExpBackward0", {x}, {{"result", out}},
                   [](const Tensor& g, const Tensor& y) -> Grads { return {g * y}; });
  return out;
}

// d log(x)/dx = 1/x
Tensor log(const Tensor& x0) {
  Tensor x = to_floating(x0);
  Tensor out = kernels::vector_unary(x, kernels::VectorFn::Log);
  autograd::record(out, "LogBackward0", {x}, {{"self", x}},
                   [](const Tensor& g, const Tensor& x) -> Grads { return {g / x}; });
  return out;
}

// d log(1+x)/dx = 1/(1+x)
Tensor log1p(const Tensor& x0) {
  Tensor x = to_floating(x0);
  Tensor out = kernels::vector_unary(x, kernels::VectorFn::Log1p);
  autograd::record(out, "Log1PBackward0", {x}, {{"self", x}},
                   [](const Tensor& g, const Tensor& x) -> Grads { return {g / (x + 1.0)}; });
  return out;
}

// d sqrt(x)/dx = 1/(2 sqrt(x))      (saves the output)
Tensor sqrt(const Tensor& x0) {
  Tensor x = to_floating(x0);
  Tensor out = kernels::unary(x, [](auto v) { return std::sqrt(v); });
  autograd::record(out, "SqrtBackward0", {x}, {{"result", out}},
                   [](const Tensor& g, const Tensor& y) -> Grads { return {g / (y * 2.0)}; });
  return out;
}

// d |x|/dx = sign(x)                (0 at x = 0, like PyTorch)
Tensor abs(const Tensor& x) {
  Tensor out = kernels::unary(x, [](auto v) { return v < 0 ? -v : v; });
  autograd::record(out, "AbsBackward0", {x}, {{"self", x}},
                   [](const Tensor& g, const Tensor& x) -> Grads { return {g * sign(x)}; });
  return out;
}

// d sign(x)/dx = 0
Tensor sign(const Tensor& x) {
  Tensor out = kernels::unary(x, [](auto v) { return (v > 0) - (v < 0); });
  autograd::record(out, "SignBackward0", {x},
                   [](const Tensor& g) -> Grads { return {zeros_like(g)}; });
  return out;
}

// d x^p/dx = p x^(p-1)   (p a number; 0 when p = 0)
Tensor pow(const Tensor& x0, double p) {
  // An integral exponent keeps an integer tensor's dtype (torch::pow(i, 2)); a fractional one
  // promotes it to the default float dtype (torch::pow(i, 2.5)).
  if (!is_floating(x0.dtype()) && p == std::floor(p) && std::fabs(p) < 9.2e18) {
    Tensor xi = x0.dtype() == DType::Bool ? x0.to(DType::Int64) : x0;
    return int_pow_tensor(xi, scalar_tensor(p, DType::Int64));
  }
  Tensor x = to_floating(x0);
  Tensor out = pow_forward(x, p);
  autograd::record(out, "PowBackward0", {x}, {{"self", x}},
                   [p](const Tensor& g, const Tensor& x) -> Grads {
                     if (p == 0) return {zeros_like(x)};
                     return {g * (pow(x, p - 1) * p)};
                   });
  return out;
}

// d x^p/dx = p x^(p-1)   (0 where p = 0)
// d x^p/dp = x^p log x   (0 where x = 0 and p >= 0, like PyTorch)
Tensor pow(const Tensor& x0, const Tensor& p0) {
  DType dt = result_type(x0, p0);
  if (!is_floating(dt)) return int_pow_tensor(x0, p0);
  Tensor x = x0.dtype() == dt ? x0 : x0.to(dt);
  Tensor p = p0.dtype() == dt ? p0 : p0.to(dt);
  Tensor out = kernels::binary(
      x, p, [](auto a, auto b) { return static_cast<decltype(a)>(std::pow(a, b)); }, "pow");
  autograd::record(
      out, "PowBackward1", {x, p}, {{"self", x}, {"exponent", p}, {"result", out}},
      [](const Backward& bw, const Tensor& x, const Tensor& e, const Tensor& y) -> Grads {
        const Tensor& g = bw.grad();
        Tensor zero = zero_like_scalar(g), gx, gp;
        if (bw.needs(0)) gx = where(eq(e, zero), zero, g * (e * pow(x, e - 1.0)));
        if (bw.needs(1)) gp = where(eq(x, zero) * ge(e, zero), zero, g * (y * log(x)));
        return {gx, gp};
      });
  return out;
}

// PyTorch records PowBackward0 too; integers stay integers (square of Int64 is Int64).
Tensor square(const Tensor& x) {
  return pow(x, 2.0);
}

// d relu(x)/dx = 1 where relu(x) > 0, else 0 (also at x = 0)   (saves the output)
Tensor relu(const Tensor& x) {
  // v < 0 ? 0 : v keeps NaN, like PyTorch
  Tensor out = kernels::unary(x, [](auto v) { return v < 0 ? decltype(v){0} : v; });
  autograd::record(
      out, "ReluBackward0", {x}, {{"result", out}},
      [](const Tensor& g, const Tensor& y) -> Grads { return {threshold_backward(g, y)}; });
  return out;
}

// d σ(x)/dx = σ(x) (1 - σ(x))      (seed 002; saves the output)
Tensor sigmoid(const Tensor& x0) {
  Tensor x = to_floating(x0);
  // 1 / (1 + exp(-x)), PyTorch's formula (exp(-x) = inf gives 0, never NaN)
  Tensor out = kernels::vector_unary(x, kernels::VectorFn::Sigmoid);
  autograd::record(
      out, "SigmoidBackward0", {x}, {{"result", out}},
      [](const Tensor& g, const Tensor& s) -> Grads { return {sigmoid_backward(g, s)}; });
  return out;
}

// d tanh(x)/dx = 1 - tanh(x)²       (saves the output)
Tensor tanh(const Tensor& x0) {
  Tensor x = to_floating(x0);
  Tensor out = kernels::vector_unary(x, kernels::VectorFn::Tanh);
  autograd::record(out, "TanhBackward0", {x}, {{"result", out}},
                   [](const Tensor& g, const Tensor& t) -> Grads { return {tanh_backward(g, t)}; });
  return out;
}

// softplus(x) = log(1 + exp(βx)) / β  (x where βx > threshold, like PyTorch)
//   d softplus(x)/dx = σ(βx)   (1 where βx > threshold)
Tensor softplus(const Tensor& x0, double beta, double threshold) {
  Tensor x = to_floating(x0);
  Tensor out = kernels::unary(x, [=](auto v) {
    using T = decltype(v);
    T bx = v * static_cast<T>(beta);
    return bx > static_cast<T>(threshold) ? v : static_cast<T>(std::log1p(std::exp(bx)) / beta);
  });
  autograd::record(out, "SoftplusBackward0", {x}, {{"self", x}},
                   [beta, threshold](const Tensor& g, const Tensor& x) -> Grads {
                     return {where(gt(x * beta, threshold), g, g * sigmoid(x * beta))};
                   });
  return out;
}

// d clamp(x, lo, hi)/dx = 1 where lo <= x <= hi, else 0 (1 at the bounds, like PyTorch)
Tensor clamp(const Tensor& x0, double lo, double hi) {
  GF_CHECK(!std::isnan(lo) && !std::isnan(hi), "clamp: bounds must not be NaN, got min=", lo,
           " max=", hi);
  auto integral = [](double v) { return std::isinf(v) || v == std::floor(v); };
  Tensor x =
      !is_floating(x0.dtype()) && !(integral(lo) && integral(hi)) ? x0.to(default_dtype()) : x0;
  // min(max(x, lo), hi): NaN stays NaN; lo > hi gives hi everywhere, like PyTorch
  Tensor out = kernels::unary(x, [=](auto v) {
    using T = decltype(v);
    double d = static_cast<double>(v);
    if (d > hi || lo > hi) return static_cast<T>(hi);
    if (d < lo) return static_cast<T>(lo);
    return v;  // also NaN
  });
  autograd::record(out, "ClampBackward1", {x}, {{"self", x}},
                   [lo, hi](const Tensor& g, const Tensor& x) -> Grads {
                     return {clamp_backward(g, x, lo, hi)};
                   });
  return out;
}

// This file's unary ops by name, for gf::unary_ops() (the expression parser, gradflow plot).
std::span<const UnaryOp> detail::math_unary_ops() {
  static constexpr UnaryOp ops[] = {
      {"abs", [](const Tensor& x) { return abs(x); }},
      {"exp", [](const Tensor& x) { return exp(x); }},
      {"log", [](const Tensor& x) { return log(x); }},
      {"log1p", [](const Tensor& x) { return log1p(x); }},
      {"relu", [](const Tensor& x) { return relu(x); }},
      {"sigmoid", [](const Tensor& x) { return sigmoid(x); }},
      {"sign", [](const Tensor& x) { return sign(x); }},
      {"softplus", [](const Tensor& x) { return softplus(x); }},
      {"sqrt", [](const Tensor& x) { return sqrt(x); }},
      {"square", [](const Tensor& x) { return square(x); }},
      {"tanh", [](const Tensor& x) { return tanh(x); }},
  };
  return ops;
}

}  // namespace gf
