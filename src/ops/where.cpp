// Elementwise selection: where(cond, a, b), maximum(a, b), minimum(a, b), with numpy broadcasting
// over all operands and type promotion of the values; gradients are summed back to each input's
// shape. Written like unary.cpp: forward kernel, Node with the derivative, PyTorch's name.
#include "../kernels/elementwise.hpp"
#include "gradflow/autograd/node.hpp"
#include "gradflow/factories.hpp"
#include "gradflow/ops.hpp"

namespace gf {

namespace {

using autograd::needs_grad;
using autograd::Node;
using autograd::SavedTensor;

Tensor zero_like_scalar(const Tensor& g) { return scalar_tensor(0, g.dtype()); }

// The gradient for an input of `shape` from one of the broadcast output's shape.
Tensor reduce_grad(const Tensor& g, const Shape& shape) {
  return g.sizes() == shape ? g : sum_to(g, shape);
}

// d where(c, a, b)/da = c, d/db = 1 - c   (summed back over broadcast dims)
struct WhereBackward0 : Node {
  Tensor cond;  // never requires grad
  Shape a_shape, b_shape;
  std::string name() const override { return "WhereBackward0"; }
  std::vector<Tensor> apply(const std::vector<Tensor>& g) override {
    Tensor zero = zero_like_scalar(g[0]);
    return {needs_grad(*this, 0) ? reduce_grad(where(cond, g[0], zero), a_shape) : Tensor(),
            needs_grad(*this, 1) ? reduce_grad(where(cond, zero, g[0]), b_shape) : Tensor()};
  }
};

// maximum: d/da = 1 where a > b, 1/2 where a == b, else 0 (and symmetrically for b); minimum
// likewise with a < b. The tie split matches PyTorch.
struct MaximumBackward : Node {
  SavedTensor a, b;
  bool is_max = true;
  std::string name() const override { return is_max ? "MaximumBackward0" : "MinimumBackward0"; }
  std::vector<Tensor> apply(const std::vector<Tensor>& g) override {
    Tensor x = a.unpack(), y = b.unpack();
    Tensor zero = zero_like_scalar(g[0]);
    Tensor half = where(eq(x, y), g[0] * 0.5, g[0]);
    Tensor a_wins = is_max ? gt(x, y) : lt(x, y);
    Tensor b_wins = is_max ? lt(x, y) : gt(x, y);
    return {needs_grad(*this, 0) ? reduce_grad(where(b_wins, zero, half), x.sizes()) : Tensor(),
            needs_grad(*this, 1) ? reduce_grad(where(a_wins, zero, half), y.sizes()) : Tensor()};
  }
  void release_saved() override { a.reset(), b.reset(); }
};

}  // namespace

Tensor where(const Tensor& cond, const Tensor& a0, const Tensor& b0) {
  Shape shape =
      broadcast_shapes(broadcast_shapes(cond.sizes(), a0.sizes(), "where"), b0.sizes(), "where");
  DType dt = promote_types(a0.dtype(), b0.dtype());
  Tensor a = a0.dtype() == dt ? a0 : a0.to(dt);
  Tensor b = b0.dtype() == dt ? b0 : b0.to(dt);
  Tensor out = empty(shape, dt);
  const int64_t n = shape.numel();
  dispatch(cond.dtype(), [&](auto ctag) {
    using C = decltype(ctag);
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
  });
  if (auto node = autograd::record<WhereBackward0>(out, {&a, &b})) {
    node->cond = cond.detach();
    node->a_shape = a.sizes();
    node->b_shape = b.sizes();
  }
  return out;
}

namespace {
Tensor extremum(const Tensor& a0, const Tensor& b0, bool is_max) {
  const char* op = is_max ? "maximum" : "minimum";
  DType dt = promote_types(a0.dtype(), b0.dtype());
  Tensor a = a0.dtype() == dt ? a0 : a0.to(dt);
  Tensor b = b0.dtype() == dt ? b0 : b0.to(dt);
  // NaN wins, like PyTorch
  Tensor out = is_max ? kernels::binary(
                            a, b, [](auto x, auto y) { return x > y || x != x ? x : y; }, op)
                      : kernels::binary(
                            a, b, [](auto x, auto y) { return x < y || x != x ? x : y; }, op);
  if (auto node = autograd::record<MaximumBackward>(out, {&a, &b})) {
    node->a = SavedTensor(a, false);
    node->b = SavedTensor(b, false);
    node->is_max = is_max;
    node->has_saved = true;
  }
  return out;
}
}  // namespace

Tensor maximum(const Tensor& a, const Tensor& b) { return extremum(a, b, true); }
Tensor minimum(const Tensor& a, const Tensor& b) { return extremum(a, b, false); }

}  // namespace gf
