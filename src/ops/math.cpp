// Elementwise math beyond unary.cpp: trigonometric, hyperbolic, exp2/expm1/log2/log10,
// rsqrt/reciprocal, erf/erfc and atan2. Bool and integer inputs promote to the default float
// dtype (torch.sin(int_tensor) is float32). Each op is one block: derivative, forward, grad_fn
// name, saved tensors; the backward is written with differentiable ops (double backward).
// The forward kernels are SLEEF's vector functions, as torch's (src/kernels/vmath.hpp: sin cos tan
// asin acos atan expm1 log2 log10 erf erfc; bit-identical to torch 1.13, tests/test_vector_math),
// threaded above the elementwise threshold; sinh, cosh, exp2, asinh, acosh, atanh are flat libm
// loops (torch 1.13 computes them with scalar libm too), rsqrt and reciprocal flat loops the
// compiler vectorises.
#include <cmath>
#include <numbers>

#include "../kernels/elementwise.hpp"
#include "../kernels/vmath.hpp"
#include "gradflow/autograd/node.hpp"
#include "gradflow/factories.hpp"
#include "gradflow/ops.hpp"
#include "registry.hpp"

namespace gf {

using autograd::Backward;
using autograd::Grads;
using kernels::to_floating;
using kernels::unary_floating;

// d sin(x)/dx = cos(x)
Tensor sin(const Tensor& x0) {
  Tensor x = to_floating(x0);
  Tensor out = kernels::vector_unary(x, kernels::VectorFn::Sin);
  autograd::record(out, "SinBackward0", {x}, {{"self", x}},
                   [](const Tensor& g, const Tensor& x) -> Grads { return {g * cos(x)}; });
  return out;
}

// d cos(x)/dx = -sin(x)
Tensor cos(const Tensor& x0) {
  Tensor x = to_floating(x0);
  Tensor out = kernels::vector_unary(x, kernels::VectorFn::Cos);
  autograd::record(out, "CosBackward0", {x}, {{"self", x}},
                   [](const Tensor& g, const Tensor& x) -> Grads { return {g * -sin(x)}; });
  return out;
}

// d tan(x)/dx = 1 + tan(x)²   (saves the result)
Tensor tan(const Tensor& x0) {
  Tensor x = to_floating(x0);
  Tensor out = kernels::vector_unary(x, kernels::VectorFn::Tan);
  autograd::record(out, "TanBackward0", {x}, {{"result", out}},
                   [](const Tensor& g, const Tensor& r) -> Grads { return {g * (r * r + 1.0)}; });
  return out;
}

// d asin(x)/dx = 1 / sqrt(1 - x²)   (NaN outside [-1, 1], inf at ±1, like torch)
Tensor asin(const Tensor& x0) {
  Tensor x = to_floating(x0);
  Tensor out = kernels::vector_unary(x, kernels::VectorFn::Asin);
  autograd::record(
      out, "AsinBackward0", {x}, {{"self", x}},
      [](const Tensor& g, const Tensor& x) -> Grads { return {g * rsqrt(1.0 - x * x)}; });
  return out;
}

// d acos(x)/dx = -1 / sqrt(1 - x²)
Tensor acos(const Tensor& x0) {
  Tensor x = to_floating(x0);
  Tensor out = kernels::vector_unary(x, kernels::VectorFn::Acos);
  autograd::record(
      out, "AcosBackward0", {x}, {{"self", x}},
      [](const Tensor& g, const Tensor& x) -> Grads { return {g * -rsqrt(1.0 - x * x)}; });
  return out;
}

// d atan(x)/dx = 1 / (1 + x²)
Tensor atan(const Tensor& x0) {
  Tensor x = to_floating(x0);
  Tensor out = kernels::vector_unary(x, kernels::VectorFn::Atan);
  autograd::record(out, "AtanBackward0", {x}, {{"self", x}},
                   [](const Tensor& g, const Tensor& x) -> Grads { return {g / (x * x + 1.0)}; });
  return out;
}

// d sinh(x)/dx = cosh(x)
Tensor sinh(const Tensor& x0) {
  Tensor x = to_floating(x0);
  Tensor out = unary_floating(x, [](auto v) { return std::sinh(v); });
  autograd::record(out, "SinhBackward0", {x}, {{"self", x}},
                   [](const Tensor& g, const Tensor& x) -> Grads { return {g * cosh(x)}; });
  return out;
}

// d cosh(x)/dx = sinh(x)
Tensor cosh(const Tensor& x0) {
  Tensor x = to_floating(x0);
  Tensor out = unary_floating(x, [](auto v) { return std::cosh(v); });
  autograd::record(out, "CoshBackward0", {x}, {{"self", x}},
                   [](const Tensor& g, const Tensor& x) -> Grads { return {g * sinh(x)}; });
  return out;
}

// d asinh(x)/dx = 1 / sqrt(x² + 1)
Tensor asinh(const Tensor& x0) {
  Tensor x = to_floating(x0);
  Tensor out = unary_floating(x, [](auto v) { return std::asinh(v); });
  autograd::record(
      out, "AsinhBackward0", {x}, {{"self", x}},
      [](const Tensor& g, const Tensor& x) -> Grads { return {g * rsqrt(x * x + 1.0)}; });
  return out;
}

// d acosh(x)/dx = 1 / sqrt(x² - 1)   (NaN below 1)
Tensor acosh(const Tensor& x0) {
  Tensor x = to_floating(x0);
  Tensor out = unary_floating(x, [](auto v) { return std::acosh(v); });
  autograd::record(
      out, "AcoshBackward0", {x}, {{"self", x}},
      [](const Tensor& g, const Tensor& x) -> Grads { return {g * rsqrt(x * x - 1.0)}; });
  return out;
}

// d atanh(x)/dx = 1 / (1 - x²)
Tensor atanh(const Tensor& x0) {
  Tensor x = to_floating(x0);
  Tensor out = unary_floating(x, [](auto v) { return std::atanh(v); });
  autograd::record(out, "AtanhBackward0", {x}, {{"self", x}},
                   [](const Tensor& g, const Tensor& x) -> Grads { return {g / (1.0 - x * x)}; });
  return out;
}

// d 2^x/dx = 2^x ln 2   (saves the result)
Tensor exp2(const Tensor& x0) {
  Tensor x = to_floating(x0);
  Tensor out = unary_floating(x, [](auto v) { return std::exp2(v); });
  autograd::record(
      out, "Exp2Backward0", {x}, {{"result", out}},
      [](const Tensor& g, const Tensor& r) -> Grads { return {g * (r * std::numbers::ln2)}; });
  return out;
}

// d (e^x - 1)/dx = e^x = result + 1   (saves the result; SLEEF kernel)
Tensor expm1(const Tensor& x0) {
  Tensor x = to_floating(x0);
  Tensor out = kernels::vector_unary(x, kernels::VectorFn::Expm1);
  autograd::record(out, "Expm1Backward0", {x}, {{"result", out}},
                   [](const Tensor& g, const Tensor& r) -> Grads { return {g * (r + 1.0)}; });
  return out;
}

// d log2(x)/dx = 1 / (x ln 2)
Tensor log2(const Tensor& x0) {
  Tensor x = to_floating(x0);
  Tensor out = kernels::vector_unary(x, kernels::VectorFn::Log2);
  autograd::record(
      out, "Log2Backward0", {x}, {{"self", x}},
      [](const Tensor& g, const Tensor& x) -> Grads { return {g / (x * std::numbers::ln2)}; });
  return out;
}

// d log10(x)/dx = 1 / (x ln 10)
Tensor log10(const Tensor& x0) {
  Tensor x = to_floating(x0);
  Tensor out = kernels::vector_unary(x, kernels::VectorFn::Log10);
  autograd::record(
      out, "Log10Backward0", {x}, {{"self", x}},
      [](const Tensor& g, const Tensor& x) -> Grads { return {g / (x * std::numbers::ln10)}; });
  return out;
}

// d x^(-1/2)/dx = -x^(-3/2) / 2 = -result³ / 2   (saves the result)
Tensor rsqrt(const Tensor& x0) {
  Tensor x = to_floating(x0);
  Tensor out = unary_floating(x, [](auto v) { return decltype(v){1} / std::sqrt(v); });
  autograd::record(
      out, "RsqrtBackward0", {x}, {{"result", out}},
      [](const Tensor& g, const Tensor& r) -> Grads { return {g * (r * r * r) * -0.5}; });
  return out;
}

// d (1/x)/dx = -1/x² = -result²   (saves the result)
Tensor reciprocal(const Tensor& x0) {
  Tensor x = to_floating(x0);
  Tensor out = unary_floating(x, [](auto v) { return decltype(v){1} / v; });
  autograd::record(out, "ReciprocalBackward0", {x}, {{"result", out}},
                   [](const Tensor& g, const Tensor& r) -> Grads { return {-g * (r * r)}; });
  return out;
}

// d erf(x)/dx = 2/sqrt(pi) exp(-x²)   (SLEEF kernel)
Tensor erf(const Tensor& x0) {
  Tensor x = to_floating(x0);
  Tensor out = kernels::vector_unary(x, kernels::VectorFn::Erf);
  autograd::record(out, "ErfBackward0", {x}, {{"self", x}},
                   [](const Tensor& g, const Tensor& x) -> Grads {
                     return {g * exp(-(x * x)) * (2.0 * std::numbers::inv_sqrtpi)};
                   });
  return out;
}

// d erfc(x)/dx = -2/sqrt(pi) exp(-x²)
Tensor erfc(const Tensor& x0) {
  Tensor x = to_floating(x0);
  Tensor out = kernels::vector_unary(x, kernels::VectorFn::Erfc);
  autograd::record(out, "ErfcBackward0", {x}, {{"self", x}},
                   [](const Tensor& g, const Tensor& x) -> Grads {
                     return {g * exp(-(x * x)) * (-2.0 * std::numbers::inv_sqrtpi)};
                   });
  return out;
}

// atan2(a, b) = the angle of (b, a):  d/da = b / (a² + b²),  d/db = -a / (a² + b²)
// (at a = b = 0 both are NaN, as in torch).
Tensor atan2(const Tensor& a0, const Tensor& b0) {
  DType dt = result_type(a0, b0);
  if (!is_floating(dt)) dt = default_dtype();
  Tensor a = a0.dtype() == dt ? a0 : a0.to(dt), b = b0.dtype() == dt ? b0 : b0.to(dt);
  Tensor out = kernels::binary(
      a, b, [](auto y, auto x) { return std::atan2(y, x); }, "atan2");
  autograd::record(out, "Atan2Backward0", {a, b}, {{"self", a}, {"other", b}},
                   [](const Backward& bw, const Tensor& a, const Tensor& b) -> Grads {
                     Tensor r = bw.grad() / (a * a + b * b);
                     return {bw.needs(0) ? r * b : Tensor(), bw.needs(1) ? -r * a : Tensor()};
                   });
  return out;
}


// This file's unary ops by name, for gf::unary_ops() (the expression parser, gradflow plot).
std::span<const UnaryOp> detail::trig_unary_ops() {
  static constexpr UnaryOp ops[] = {
      {"acos", [](const Tensor& x) { return acos(x); }},
      {"acosh", [](const Tensor& x) { return acosh(x); }},
      {"asin", [](const Tensor& x) { return asin(x); }},
      {"asinh", [](const Tensor& x) { return asinh(x); }},
      {"atan", [](const Tensor& x) { return atan(x); }},
      {"atanh", [](const Tensor& x) { return atanh(x); }},
      {"cos", [](const Tensor& x) { return cos(x); }},
      {"cosh", [](const Tensor& x) { return cosh(x); }},
      {"erf", [](const Tensor& x) { return erf(x); }},
      {"erfc", [](const Tensor& x) { return erfc(x); }},
      {"exp2", [](const Tensor& x) { return exp2(x); }},
      {"expm1", [](const Tensor& x) { return expm1(x); }},
      {"log10", [](const Tensor& x) { return log10(x); }},
      {"log2", [](const Tensor& x) { return log2(x); }},
      {"reciprocal", [](const Tensor& x) { return reciprocal(x); }},
      {"rsqrt", [](const Tensor& x) { return rsqrt(x); }},
      {"sin", [](const Tensor& x) { return sin(x); }},
      {"sinh", [](const Tensor& x) { return sinh(x); }},
      {"tan", [](const Tensor& x) { return tan(x); }},
  };
  return ops;
}

}  // namespace gf
