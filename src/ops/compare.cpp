// Comparisons: eq, ne, lt, le, gt, ge (and the operators), tensor-tensor with numpy broadcasting
// and type promotion (torch.result_type), or tensor-number. They return Bool tensors and are never recorded by
// autograd (their derivative is zero almost everywhere). allclose: |a - b| <= atol + rtol |b|.
#include <cmath>

#include "../kernels/elementwise.hpp"
#include "gradflow/factories.hpp"
#include "gradflow/ops.hpp"

namespace gf {

namespace {

// out[i] = f(a[i], b[i]) as Bool over the broadcast shape, compared in the promoted dtype.
template <class F>
Tensor compare(const Tensor& a, const Tensor& b, F f, const char* op) {
  Shape shape = broadcast_shapes(a.sizes(), b.sizes(), op);
  DType dt = result_type(a, b);
  Tensor x = a.dtype() == dt ? a.detach() : a.detach().to(dt);
  Tensor y = b.dtype() == dt ? b.detach() : b.detach().to(dt);
  Tensor out = empty(shape, DType::Bool);
  dispatch(dt, [&](auto tag) {
    using T = decltype(tag);
    kernels::binary_into<T, bool>(x, y, shape, out.data_ptr<bool>(),
                                  [&](T u, T v) { return static_cast<bool>(f(u, v)); });
  });
  return out;
}

// A number as a 0-d tensor to compare against t: t's dtype, except that an integer tensor meets
// a fractional or out-of-range number in Float64 (so that x < 0.5 and uint8 < 300 are exact).
Tensor number(const Tensor& t, double v) {
  DType dt = t.dtype();
  if (!is_floating(dt) && static_cast<double>(convert<int64_t>(v)) == v) {
    bool fits = dispatch(dt, [&](auto tag) {
      using T = decltype(tag);
      return static_cast<double>(convert<T>(v)) == v;
    });
    if (fits) return scalar_tensor(v, dt);
  }
  if (!is_floating(dt)) dt = DType::Float64;
  return scalar_tensor(v, dt);
}

struct Eq {
  template <class T>
  bool operator()(T a, T b) const {
    return a == b;
  }
};
struct Ne {
  template <class T>
  bool operator()(T a, T b) const {
    return a != b;
  }
};
struct Lt {
  template <class T>
  bool operator()(T a, T b) const {
    return a < b;
  }
};
struct Le {
  template <class T>
  bool operator()(T a, T b) const {
    return a <= b;
  }
};
struct Gt {
  template <class T>
  bool operator()(T a, T b) const {
    return a > b;
  }
};
struct Ge {
  template <class T>
  bool operator()(T a, T b) const {
    return a >= b;
  }
};

}  // namespace

Tensor eq(const Tensor& a, const Tensor& b) { return compare(a, b, Eq{}, "eq"); }
Tensor ne(const Tensor& a, const Tensor& b) { return compare(a, b, Ne{}, "ne"); }
Tensor lt(const Tensor& a, const Tensor& b) { return compare(a, b, Lt{}, "lt"); }
Tensor le(const Tensor& a, const Tensor& b) { return compare(a, b, Le{}, "le"); }
Tensor gt(const Tensor& a, const Tensor& b) { return compare(a, b, Gt{}, "gt"); }
Tensor ge(const Tensor& a, const Tensor& b) { return compare(a, b, Ge{}, "ge"); }
Tensor eq(const Tensor& a, double b) { return eq(a, number(a, b)); }
Tensor ne(const Tensor& a, double b) { return ne(a, number(a, b)); }
Tensor lt(const Tensor& a, double b) { return lt(a, number(a, b)); }
Tensor le(const Tensor& a, double b) { return le(a, number(a, b)); }
Tensor gt(const Tensor& a, double b) { return gt(a, number(a, b)); }
Tensor ge(const Tensor& a, double b) { return ge(a, number(a, b)); }

Tensor operator==(const Tensor& a, const Tensor& b) { return eq(a, b); }
Tensor operator!=(const Tensor& a, const Tensor& b) { return ne(a, b); }
Tensor operator<(const Tensor& a, const Tensor& b) { return lt(a, b); }
Tensor operator>(const Tensor& a, const Tensor& b) { return gt(a, b); }
Tensor operator<=(const Tensor& a, const Tensor& b) { return le(a, b); }
Tensor operator>=(const Tensor& a, const Tensor& b) { return ge(a, b); }
Tensor operator==(const Tensor& a, double b) { return eq(a, b); }
Tensor operator!=(const Tensor& a, double b) { return ne(a, b); }
Tensor operator<(const Tensor& a, double b) { return lt(a, b); }
Tensor operator>(const Tensor& a, double b) { return gt(a, b); }
Tensor operator<=(const Tensor& a, double b) { return le(a, b); }
Tensor operator>=(const Tensor& a, double b) { return ge(a, b); }

// True when every |a - b| <= atol + rtol |b| (shapes broadcast; NaN is never close; equal
// infinities are), like torch.allclose with equal_nan=false.
bool allclose(const Tensor& a, const Tensor& b, double rtol, double atol) {
  GF_CHECK(rtol >= 0 && atol >= 0, "allclose: rtol and atol must be non-negative, got rtol=", rtol,
           " atol=", atol);
  Tensor close = compare(
      a, b,
      [=](auto x, auto y) {
        double u = static_cast<double>(x), v = static_cast<double>(y);
        if (u == v) return true;
        return std::fabs(u - v) <= atol + rtol * std::fabs(v);  // false for NaN and inf - finite
      },
      "allclose");
  const bool* p = close.data_ptr<bool>();
  for (int64_t i = 0, n = close.numel(); i < n; ++i)
    if (!p[i]) return false;
  return true;
}

}  // namespace gf
