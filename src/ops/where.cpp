// Elementwise selection: where(cond, a, b), maximum(a, b), minimum(a, b), with numpy broadcasting
// over all operands and type promotion of the values (the engine sums each gradient back to its
// input's shape). Written like unary.cpp: derivative, forward kernel, record().
#include "../kernels/elementwise.hpp"
#include "gradflow/autograd/node.hpp"
#include "gradflow/factories.hpp"
#include "gradflow/ops.hpp"

namespace gf {

using autograd::Backward;
using autograd::Grads;

namespace {
Tensor zero_like_scalar(const Tensor& g) { return scalar_tensor(0, g.dtype()); }
}  // namespace

// d where(c, a, b)/da = c, d/db = 1 - c
Tensor where(const Tensor& cond0, const Tensor& a0, const Tensor& b0) {
  // torch also takes (deprecated) uint8 conditions, as "nonzero".
  GF_CHECK(cond0.dtype() == DType::Bool || cond0.dtype() == DType::UInt8,
           "where expected condition to be a boolean tensor, but got a tensor with dtype ",
           scalar_type_name(cond0.dtype()));
  Tensor cond = cond0.dtype() == DType::Bool ? cond0 : cond0.to(DType::Bool);
  Shape shape =
      broadcast_shapes(broadcast_shapes(cond.sizes(), a0.sizes(), "where"), b0.sizes(), "where");
  DType dt = result_type(a0, b0);
  Tensor a = a0.dtype() == dt ? a0 : a0.to(dt);
  Tensor b = b0.dtype() == dt ? b0 : b0.to(dt);
  Tensor out = empty(shape, dt);
  const int64_t n = shape.numel();
  {
    using C = bool;
    dispatch(dt, [&](auto tag) {
      using T = decltype(tag);
      const C* cp = static_cast<const C*>(cond.impl().storage->data);
      const T* ap = static_cast<const T*>(a.impl().storage->data);
      const T* bp = static_cast<const T*>(b.impl().storage->data);
      T* o = out.data_ptr<T>();
      auto flat = [&](const Tensor& t) { return t.is_contiguous() && t.numel() == n; };
      if (flat(cond) && flat(a) && flat(b)) {
        const C* c = cp + cond.storage_offset();
        const T* x = ap + a.storage_offset();
        const T* y = bp + b.storage_offset();
        kernels::parallel_for(n, [&](int64_t s, int64_t e) {
          for (int64_t i = s; i < e; ++i) o[i] = c[i] != C{0} ? x[i] : y[i];
        });
        return;
      }
      int64_t pos = 0;
      kernels::walk_strided<3>(
          shape,
          {kernels::broadcast_strides(cond.impl(), shape),
           kernels::broadcast_strides(a.impl(), shape),
           kernels::broadcast_strides(b.impl(), shape)},
          {cond.storage_offset(), a.storage_offset(), b.storage_offset()},
          [&](const std::array<int64_t, 3>& off, int64_t cnt, const std::array<int64_t, 3>& st) {
            for (int64_t i = 0; i < cnt; ++i)
              o[pos + i] =
                  cp[off[0] + i * st[0]] != C{0} ? ap[off[1] + i * st[1]] : bp[off[2] + i * st[2]];
            pos += cnt;
          });
    });
  }
  autograd::record(out, "WhereBackward0", {a, b}, {{"condition", cond.detach()}},
                   [](const Backward& bw, const Tensor& c) -> Grads {
                     const Tensor& g = bw.grad();
                     Tensor zero = zero_like_scalar(g);
                     return {bw.needs(0) ? where(c, g, zero) : Tensor(),
                             bw.needs(1) ? where(c, zero, g) : Tensor()};
                   });
  return out;
}

namespace {
// maximum: d/da = 1 where a > b, 1/2 where a == b, else 0 (and symmetrically for b); minimum
// likewise with a < b. The tie split matches PyTorch.
Tensor extremum(const Tensor& a0, const Tensor& b0, bool is_max) {
  const char* op = is_max ? "maximum" : "minimum";
  DType dt = result_type(a0, b0);
  Tensor a = a0.dtype() == dt ? a0 : a0.to(dt);
  Tensor b = b0.dtype() == dt ? b0 : b0.to(dt);
  // NaN wins, like PyTorch
  Tensor out = is_max ? kernels::binary(
                            a, b, [](auto x, auto y) { return x > y || x != x ? x : y; }, op)
                      : kernels::binary(
                            a, b, [](auto x, auto y) { return x < y || x != x ? x : y; }, op);
  autograd::record(out, is_max ? "MaximumBackward0" : "MinimumBackward0", {a, b},
                   {{"self", a}, {"other", b}},
                   [is_max](const Backward& bw, const Tensor& x, const Tensor& y) -> Grads {
                     const Tensor& g = bw.grad();
                     Tensor zero = zero_like_scalar(g);
                     Tensor half = where(eq(x, y), g * 0.5, g);
                     Tensor a_wins = is_max ? gt(x, y) : lt(x, y);
                     Tensor b_wins = is_max ? lt(x, y) : gt(x, y);
                     return {bw.needs(0) ? where(b_wins, zero, half) : Tensor(),
                             bw.needs(1) ? where(a_wins, zero, half) : Tensor()};
                   });
  return out;
}
}  // namespace

Tensor maximum(const Tensor& a, const Tensor& b) { return extremum(a, b, true); }
Tensor minimum(const Tensor& a, const Tensor& b) { return extremum(a, b, false); }

}  // namespace gf
