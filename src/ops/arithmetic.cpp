// + - * / and unary minus, tensor-tensor with numpy broadcasting and tensor-scalar.
// Each backward is the bare formula: the engine sums it back to each input's shape.
#include "../kernels/elementwise.hpp"
#include "gradflow/autograd/node.hpp"
#include "gradflow/factories.hpp"
#include "gradflow/ops.hpp"
#include "registry.hpp"

namespace gf {

namespace {

// A scalar operand as a 0-d tensor of the tensor's dtype, like torch's wrapped numbers: an integer
// tensor meets a fractional scalar in the default float dtype, and a Bool tensor an integral one
// in Int64 (torch.tensor([True]) + 2 is int64).
Tensor wrap_scalar(const Tensor& t, double v) {
  DType dt = t.dtype();
  bool integral = v == static_cast<double>(static_cast<int64_t>(v));
  if (!is_floating(dt) && !integral) dt = default_dtype();
  else if (dt == DType::Bool) dt = DType::Int64;
  return scalar_tensor(v, dt);
}

}  // namespace

using autograd::Backward;
using autograd::Grads;

// d(a+b)/da = 1, d(a+b)/db = 1
Tensor add(const Tensor& a, const Tensor& b) {
  Tensor out = kernels::binary(
      a, b, [](auto x, auto y) { return x + y; }, "add");
  autograd::record(out, "AddBackward0", {a, b}, [](const Tensor& g) -> Grads { return {g, g}; });
  return out;
}

// d(a-b)/da = 1, d(a-b)/db = -1
Tensor sub(const Tensor& a, const Tensor& b) {
  Tensor out = kernels::binary(
      a, b, [](auto x, auto y) { return x - y; }, "sub");
  autograd::record(out, "SubBackward0", {a, b}, [](const Tensor& g) -> Grads { return {g, -g}; });
  return out;
}

// d(ab)/da = b, d(ab)/db = a   (seed 001's MultiplyGate)
Tensor mul(const Tensor& a, const Tensor& b) {
  Tensor out = kernels::binary(
      a, b, [](auto x, auto y) { return x * y; }, "mul");
  // each saved only when the other input needs a gradient (x.mul_(2) must not keep x)
  autograd::record(
      out, "MulBackward0", {a, b},
      {{"self", b.requires_grad() ? a : Tensor()}, {"other", a.requires_grad() ? b : Tensor()}},
      [](const Backward& bw, const Tensor& a, const Tensor& b) -> Grads {
        const Tensor& g = bw.grad();
        return {bw.needs(0) ? g * b : Tensor(), bw.needs(1) ? g * a : Tensor()};
      });
  return out;
}

// d(a/b)/da = 1/b, d(a/b)/db = -a/b²
Tensor div(const Tensor& a, const Tensor& b) {
  // Integer division promotes to the default float dtype, like torch.true_divide.
  if (!is_floating(result_type(a, b))) return div(a.to(default_dtype()), b.to(default_dtype()));
  Tensor out = kernels::binary(
      a, b, [](auto x, auto y) { return x / y; }, "div");
  autograd::record(
      out, "DivBackward0", {a, b}, {{"self", b.requires_grad() ? a : Tensor()}, {"other", b}},
      [](const Backward& bw, const Tensor& a, const Tensor& b) -> Grads {
        const Tensor& g = bw.grad();
        return {bw.needs(0) ? g / b : Tensor(), bw.needs(1) ? -g * a / (b * b) : Tensor()};
      });
  return out;
}

// d(-a)/da = -1
Tensor neg(const Tensor& a) {
  Tensor out = kernels::unary(a, [](auto x) { return -x; });
  autograd::record(out, "NegBackward0", {a}, [](const Tensor& g) -> Grads { return {-g}; });
  return out;
}

Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
Tensor operator-(const Tensor& a, const Tensor& b) { return sub(a, b); }
Tensor operator*(const Tensor& a, const Tensor& b) { return mul(a, b); }
Tensor operator/(const Tensor& a, const Tensor& b) { return div(a, b); }
Tensor operator-(const Tensor& a) { return neg(a); }
Tensor operator+(const Tensor& a, double b) { return add(a, wrap_scalar(a, b)); }
Tensor operator-(const Tensor& a, double b) { return sub(a, wrap_scalar(a, b)); }
Tensor operator*(const Tensor& a, double b) { return mul(a, wrap_scalar(a, b)); }
Tensor operator/(const Tensor& a, double b) { return div(a, wrap_scalar(a, b)); }
Tensor operator+(double a, const Tensor& b) { return add(wrap_scalar(b, a), b); }
Tensor operator-(double a, const Tensor& b) { return sub(wrap_scalar(b, a), b); }
Tensor operator*(double a, const Tensor& b) { return mul(wrap_scalar(b, a), b); }
Tensor operator/(double a, const Tensor& b) { return div(wrap_scalar(b, a), b); }

// This file's unary ops by name, for gf::unary_ops().
std::span<const UnaryOp> detail::arithmetic_unary_ops() {
  static constexpr UnaryOp ops[] = {{"neg", [](const Tensor& x) { return neg(x); }}};
  return ops;
}

}  // namespace gf
