// max / min over all elements or along one dim (values only), argmax / argmin.
// NaN propagates (it counts as the largest and the smallest), ties go to the first index along a
// dim, and the all-elements reduction splits its gradient evenly among ties — all like PyTorch.
#include <cmath>

#include "gradflow/autograd/node.hpp"
#include "gradflow/factories.hpp"
#include "gradflow/ops.hpp"

namespace gf {

using autograd::Grads;

namespace {

// A contiguous buffer seen as [outer, n, inner]: vals[o, i] = best_k x[o, k, i] and idx[o, i] =
// the first k that reaches it. The inner loop runs over contiguous i.
template <bool IsMax, class T>
void extremum_dim(const T* x, T* vals, int64_t* idx, int64_t outer, int64_t n, int64_t inner) {
  for (int64_t o = 0; o < outer; ++o) {
    const T* row = x + o * n * inner;
    T* v = vals + o * inner;
    int64_t* id = idx + o * inner;
    for (int64_t i = 0; i < inner; ++i) v[i] = row[i], id[i] = 0;
    for (int64_t k = 1; k < n; ++k) {
      const T* r = row + k * inner;
      for (int64_t i = 0; i < inner; ++i) {
        T c = r[i];
        bool better = IsMax ? c > v[i] : c < v[i];
        if (better || (c != c && v[i] == v[i])) v[i] = c, id[i] = k;  // the first NaN wins
      }
    }
  }
}

struct Reduced {
  Tensor values, indices;  // both with the reduced dim removed (or kept with size 1)
};

// Reduces x over `dim` (or over everything when all), returning values and first indices.
Reduced reduce_extremum(const Tensor& x, int64_t dim, bool keepdim, bool all, bool is_max,
                        const char* op) {
  Tensor c = x.detach().contiguous();
  int64_t outer = 1, n = x.numel(), inner = 1;
  Shape out_shape;
  if (!all) {
    n = x.sizes()[dim];
    GF_CHECK(n > 0, op, ": cannot reduce over dim ", dim, " of size 0 (input of shape ", x.sizes(),
             ")");
    for (int64_t i = 0; i < dim; ++i) outer *= x.sizes()[i];
    for (int64_t i = dim + 1; i < x.dim(); ++i) inner *= x.sizes()[i];
    out_shape = x.sizes();
    if (keepdim)
      out_shape[dim] = 1;
    else
      out_shape.erase(dim);
  } else {
    GF_CHECK(n > 0, op, ": cannot reduce an empty tensor of shape ", x.sizes(),
             " over all elements; specify a non-empty dim");
  }
  Reduced r{empty(out_shape, x.dtype()), empty(out_shape, DType::Int64)};
  dispatch(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if (is_max)
      extremum_dim<true, T>(c.data_ptr<T>(), r.values.data_ptr<T>(), r.indices.data_ptr<int64_t>(),
                            outer, n, inner);
    else
      extremum_dim<false, T>(c.data_ptr<T>(), r.values.data_ptr<T>(), r.indices.data_ptr<int64_t>(),
                             outer, n, inner);
  });
  return r;
}

// max(x) over all elements: dL/dx = g / k at each of the k elements equal to the max, else 0
// (PyTorch's evenly_distribute_backward; with a NaN max, the NaNs share it).
Tensor extremum_all(const Tensor& x, bool is_max) {
  const char* op = is_max ? "max" : "min";
  Reduced r = reduce_extremum(x, 0, false, true, is_max, op);
  autograd::record(r.values, is_max ? "MaxBackward1" : "MinBackward1", {x},
                   {{"self", x}, {"result", r.values}},
                   [](const Tensor& g, const Tensor& x, const Tensor& value) -> Grads {
                     Tensor mask = std::isnan(value.item()) ? ne(x, x) : eq(x, value);
                     double count = sum(mask).item();
                     return {where(mask, g / count, scalar_tensor(0, g.dtype()))};
                   });
  return r.values;
}

// max(x, dim): dL/dx = g scattered to the index of the max along dim, 0 elsewhere. Written as
// where(onehot(indices), g, 0), whose own backward gathers gg back at the same indices.
Tensor extremum_dim_op(const Tensor& x, int64_t dim, bool keepdim, bool is_max) {
  const char* op = is_max ? "max" : "min";
  dim = wrap_dim(dim, x.dim(), op);
  if (x.dim() == 0) return extremum_dim_op(reshape(x, {1}), 0, false, is_max);
  Reduced r = reduce_extremum(x, dim, keepdim, false, is_max, op);
  Shape kept = x.sizes();
  kept[dim] = 1;
  Tensor indices = r.indices.dim() == static_cast<int64_t>(kept.size())
                       ? r.indices
                       : make_view(r.indices, kept, contiguous_strides(kept), 0);
  autograd::record(
      r.values, is_max ? "MaxBackward0" : "MinBackward0", {x}, {{"indices", indices}},
      [shape = x.sizes(), dim, keepdim](const Tensor& g, const Tensor& indices) -> Grads {
        Tensor mask = empty(shape, DType::Bool);
        int64_t n = shape[dim], outer = 1, inner = 1;
        for (int64_t i = 0; i < dim; ++i) outer *= shape[i];
        for (std::size_t i = dim + 1; i < shape.size(); ++i) inner *= shape[i];
        const int64_t* id = indices.data_ptr<int64_t>();
        bool* m = mask.data_ptr<bool>();
        for (int64_t o = 0; o < outer; ++o)
          for (int64_t k = 0; k < n; ++k)
            for (int64_t i = 0; i < inner; ++i) m[(o * n + k) * inner + i] = id[o * inner + i] == k;
        Tensor gk = keepdim ? g : unsqueeze(g, dim);
        return {where(mask, gk, scalar_tensor(0, g.dtype()))};
      });
  return r.values;
}

Tensor arg_extremum(const Tensor& x, int64_t dim, bool keepdim, bool all, bool is_max) {
  const char* op = is_max ? "argmax" : "argmin";
  if (all) return reduce_extremum(x, 0, false, true, is_max, op).indices;
  dim = wrap_dim(dim, x.dim(), op);
  if (x.dim() == 0) return zeros({}, DType::Int64);
  return reduce_extremum(x, dim, keepdim, false, is_max, op).indices;
}

}  // namespace

Tensor max(const Tensor& x) { return extremum_all(x, true); }
Tensor min(const Tensor& x) { return extremum_all(x, false); }
Tensor max(const Tensor& x, int64_t dim, bool keepdim) {
  return extremum_dim_op(x, dim, keepdim, true);
}
Tensor min(const Tensor& x, int64_t dim, bool keepdim) {
  return extremum_dim_op(x, dim, keepdim, false);
}
Tensor argmax(const Tensor& x, int64_t dim, bool keepdim) {
  return arg_extremum(x, dim, keepdim, false, true);
}
Tensor argmin(const Tensor& x, int64_t dim, bool keepdim) {
  return arg_extremum(x, dim, keepdim, false, false);
}
Tensor argmax(const Tensor& x) { return arg_extremum(x, 0, false, true, true); }
Tensor argmin(const Tensor& x) { return arg_extremum(x, 0, false, true, false); }

}  // namespace gf
