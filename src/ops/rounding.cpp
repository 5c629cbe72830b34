// Rounding and remainders: floor, ceil, round (half to even, as torch), trunc, frac, fmod (the
// sign of the dividend, C's fmod) and remainder (the sign of the divisor, Python's %). floor,
// ceil, round and trunc keep integer dtypes (a copy, like torch); frac refuses them (torch:
// "frac_cpu" not implemented for 'Long'); integer fmod/remainder by zero throws (torch's
// ZeroDivisionError). Piecewise-constant ops have zero gradient everywhere (torch's convention,
// also at the jumps).
#include <cmath>

#include "../kernels/elementwise.hpp"
#include "gradflow/autograd/node.hpp"
#include "gradflow/factories.hpp"
#include "gradflow/ops.hpp"
#include "registry.hpp"

namespace gf {

using autograd::Backward;
using autograd::Grads;

namespace {

// The zero gradient of a piecewise-constant op, in the gradient's dtype and shape.
Grads zero_grad(const Tensor& g) { return {zeros_like(g)}; }

// A copy of an integer tensor (rounding an integer is the identity).
Tensor integer_copy(const Tensor& x) { return x.detach().clone(); }

// Integer division by zero is an error, as in torch (floats give NaN).
void check_divisor(const Tensor& b, const char* op) {
  if (is_floating(b.dtype())) return;
  Tensor nz = b.contiguous();
  dispatch(nz.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* p = nz.template data_ptr<T>();
    for (int64_t i = 0, n = nz.numel(); i < n; ++i)
      GF_CHECK(p[i] != T{0}, op, ": ZeroDivisionError (integer division by zero at element ", i,
               ")");
  });
}

// C's fmod: the result has the dividend's sign.
template <class T>
T fmod_value(T a, T b) {
  if constexpr (std::is_floating_point_v<T>)
    return std::fmod(a, b);
  else if constexpr (std::is_same_v<T, bool>)
    return false;
  else
    return static_cast<T>(a % b);
}
// Python's %: the result has the divisor's sign (torch.remainder).
template <class T>
T remainder_value(T a, T b) {
  if constexpr (std::is_same_v<T, bool>) {
    return false;
  } else {
    T r = fmod_value(a, b);
    if (r != T{0} && ((b < T{0}) != (r < T{0}))) r = static_cast<T>(r + b);
    return r;
  }
}

// A number as the second operand of fmod / remainder: torch's wrapped-number promotion.
Tensor divisor(const Tensor& a, double b) {
  DType dt = a.dtype();
  if (!is_floating(dt) && b != std::floor(b)) dt = default_dtype();
  if (dt == DType::Bool) dt = DType::Int64;
  return scalar_tensor(b, dt);
}

}  // namespace

// d floor(x)/dx = 0
Tensor floor(const Tensor& x) {
  if (!is_floating(x.dtype())) return integer_copy(x);
  Tensor out = kernels::unary_floating(x, [](auto v) { return std::floor(v); });
  autograd::record(out, "FloorBackward0", {x}, [](const Tensor& g) { return zero_grad(g); });
  return out;
}

// d ceil(x)/dx = 0
Tensor ceil(const Tensor& x) {
  if (!is_floating(x.dtype())) return integer_copy(x);
  Tensor out = kernels::unary_floating(x, [](auto v) { return std::ceil(v); });
  autograd::record(out, "CeilBackward0", {x}, [](const Tensor& g) { return zero_grad(g); });
  return out;
}

// d round(x)/dx = 0; halves round to even (0.5 -> 0, 1.5 -> 2, -0.5 -> -0), like torch
Tensor round(const Tensor& x) {
  if (!is_floating(x.dtype())) return integer_copy(x);
  Tensor out = kernels::unary_floating(x, [](auto v) { return std::nearbyint(v); });
  autograd::record(out, "RoundBackward0", {x}, [](const Tensor& g) { return zero_grad(g); });
  return out;
}

// d trunc(x)/dx = 0
Tensor trunc(const Tensor& x) {
  if (!is_floating(x.dtype())) return integer_copy(x);
  Tensor out = kernels::unary_floating(x, [](auto v) { return std::trunc(v); });
  autograd::record(out, "TruncBackward0", {x}, [](const Tensor& g) { return zero_grad(g); });
  return out;
}

// frac(x) = x - trunc(x);  d/dx = 1
Tensor frac(const Tensor& x) {
  GF_CHECK(is_floating(x.dtype()), "frac: \"frac_cpu\" not implemented for '",
           scalar_type_name(x.dtype()), "'");
  Tensor out = kernels::unary_floating(x, [](auto v) { return v - std::trunc(v); });
  autograd::record(out, "FracBackward0", {x}, [](const Tensor& g) -> Grads { return {g}; });
  return out;
}

// fmod(a, b) = a - trunc(a / b) b:  d/da = 1,  d/db = -trunc(a / b)
Tensor fmod(const Tensor& a, const Tensor& b) {
  check_divisor(b, "fmod");
  Tensor out = kernels::binary(
      a, b, [](auto x, auto y) { return fmod_value(x, y); }, "fmod");
  autograd::record(
      out, "FmodBackward1", {a, b}, {{"self", a}, {"other", b}},
      [](const Backward& bw, const Tensor& a, const Tensor& b) -> Grads {
        const Tensor& g = bw.grad();
        return {bw.needs(0) ? g : Tensor(), bw.needs(1) ? -g * trunc(a / b) : Tensor()};
      });
  return out;
}

// fmod(a, number):  d/da = 1
Tensor fmod(const Tensor& a, double b) {
  Tensor d = divisor(a, b);
  check_divisor(d, "fmod");
  Tensor out = kernels::binary(
      a, d, [](auto x, auto y) { return fmod_value(x, y); }, "fmod");
  autograd::record(out, "FmodBackward0", {a}, [](const Tensor& g) -> Grads { return {g}; });
  return out;
}

// remainder(a, b) = a - floor(a / b) b:  d/da = 1,  d/db = -floor(a / b)
Tensor remainder(const Tensor& a, const Tensor& b) {
  check_divisor(b, "remainder");
  Tensor out = kernels::binary(
      a, b, [](auto x, auto y) { return remainder_value(x, y); }, "remainder");
  autograd::record(
      out, "RemainderBackward1", {a, b}, {{"self", a}, {"other", b}},
      [](const Backward& bw, const Tensor& a, const Tensor& b) -> Grads {
        const Tensor& g = bw.grad();
        return {bw.needs(0) ? g : Tensor(), bw.needs(1) ? -g * floor(a / b) : Tensor()};
      });
  return out;
}

// remainder(a, number):  d/da = 1
Tensor remainder(const Tensor& a, double b) {
  Tensor d = divisor(a, b);
  check_divisor(d, "remainder");
  Tensor out = kernels::binary(
      a, d, [](auto x, auto y) { return remainder_value(x, y); }, "remainder");
  autograd::record(out, "RemainderBackward0", {a}, [](const Tensor& g) -> Grads { return {g}; });
  return out;
}


// This file's unary ops by name, for gf::unary_ops() (the expression parser, gradflow plot).
std::span<const UnaryOp> detail::rounding_unary_ops() {
  static constexpr UnaryOp ops[] = {
      {"ceil", [](const Tensor& x) { return ceil(x); }},
      {"floor", [](const Tensor& x) { return floor(x); }},
      {"frac", [](const Tensor& x) { return frac(x); }},
      {"round", [](const Tensor& x) { return round(x); }},
      {"trunc", [](const Tensor& x) { return trunc(x); }},
  };
  return ops;
}

}  // namespace gf
