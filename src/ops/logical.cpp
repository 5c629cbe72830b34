// Logical, bitwise and floating-class tests, none differentiable (never recorded):
//   logical_and/or/xor/not: any dtype, "nonzero" is true (NaN too), result Bool;
//   bitwise_and/or/xor/not: Bool and integer dtypes only (torch: "bitwise_and_cpu" not
//     implemented for 'Float'), result torch.result_type of the operands; not of Bool is logical;
//   isnan, isinf, isfinite: Bool (integers are always finite).
#include <cmath>

#include "../kernels/elementwise.hpp"
#include "gradflow/factories.hpp"
#include "gradflow/ops.hpp"

namespace gf {

namespace {

template <class F>
Tensor logical(const Tensor& a, const Tensor& b, F f, const char* op) {
  Shape shape = broadcast_shapes(a.sizes(), b.sizes(), op);
  Tensor x = a.detach().to(DType::Bool), y = b.detach().to(DType::Bool);
  Tensor out = empty(shape, DType::Bool);
  kernels::binary_into<bool, bool>(x, y, shape, out.data_ptr<bool>(), f);
  return out;
}

void check_integral(const Tensor& t, const char* op) {
  GF_CHECK(is_integral(t.dtype(), true), op, ": \"", op, "_cpu\" not implemented for '",
           scalar_type_name(t.dtype()), "' (bitwise ops take Bool and integer tensors)");
}

template <class F>
Tensor bitwise(const Tensor& a, const Tensor& b, F f, const char* op) {
  check_integral(a, op);
  check_integral(b, op);
  return kernels::binary(a.detach(), b.detach(), f, op);
}

}  // namespace

Tensor logical_and(const Tensor& a, const Tensor& b) {
  return logical(
      a, b, [](bool x, bool y) { return x && y; }, "logical_and");
}
Tensor logical_or(const Tensor& a, const Tensor& b) {
  return logical(
      a, b, [](bool x, bool y) { return x || y; }, "logical_or");
}
Tensor logical_xor(const Tensor& a, const Tensor& b) {
  return logical(
      a, b, [](bool x, bool y) { return x != y; }, "logical_xor");
}
Tensor logical_not(const Tensor& x) {
  return kernels::unary_to_bool(x.detach(), [](auto v) { return v == decltype(v){0}; });
}

Tensor bitwise_and(const Tensor& a, const Tensor& b) {
  return bitwise(
      a, b,
      [](auto x, auto y) {
        using T = decltype(x);
        if constexpr (std::is_integral_v<T>)
          return static_cast<T>(x & y);
        else
          return x;  // not reached: floating operands are refused
      },
      "bitwise_and");
}
Tensor bitwise_or(const Tensor& a, const Tensor& b) {
  return bitwise(
      a, b,
      [](auto x, auto y) {
        using T = decltype(x);
        if constexpr (std::is_integral_v<T>)
          return static_cast<T>(x | y);
        else
          return x;  // not reached: floating operands are refused
      },
      "bitwise_or");
}
Tensor bitwise_xor(const Tensor& a, const Tensor& b) {
  return bitwise(
      a, b,
      [](auto x, auto y) {
        using T = decltype(x);
        if constexpr (std::is_integral_v<T>)
          return static_cast<T>(x ^ y);
        else
          return x;  // not reached: floating operands are refused
      },
      "bitwise_xor");
}
Tensor bitwise_not(const Tensor& x) {
  check_integral(x, "bitwise_not");
  Tensor out = empty(x.shape(), x.dtype());
  dispatch(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_same_v<T, bool>) {
      kernels::map_into<T, T>(x, out.data_ptr<T>(), [](T v) { return !v; });
    } else if constexpr (std::is_integral_v<T>) {
      kernels::map_into<T, T>(x, out.data_ptr<T>(), [](T v) { return static_cast<T>(~v); });
    }
  });
  return out;
}

Tensor operator&(const Tensor& a, const Tensor& b) { return bitwise_and(a, b); }
Tensor operator|(const Tensor& a, const Tensor& b) { return bitwise_or(a, b); }
Tensor operator^(const Tensor& a, const Tensor& b) { return bitwise_xor(a, b); }
Tensor operator~(const Tensor& x) { return bitwise_not(x); }
Tensor operator!(const Tensor& x) { return logical_not(x); }

Tensor isnan(const Tensor& x) {
  if (!is_floating(x.dtype())) return zeros(x.sizes(), DType::Bool);
  return kernels::unary_to_bool(x.detach(), [](auto v) { return v != v; });
}
Tensor isinf(const Tensor& x) {
  if (!is_floating(x.dtype())) return zeros(x.sizes(), DType::Bool);
  return kernels::unary_to_bool(x.detach(), [](auto v) {
    if constexpr (std::is_floating_point_v<decltype(v)>) return std::isinf(v);
    return false;
  });
}
Tensor isfinite(const Tensor& x) {
  if (!is_floating(x.dtype())) return ones(x.sizes(), DType::Bool);
  return kernels::unary_to_bool(x.detach(), [](auto v) {
    if constexpr (std::is_floating_point_v<decltype(v)>) return std::isfinite(v);
    return true;
  });
}

}  // namespace gf
