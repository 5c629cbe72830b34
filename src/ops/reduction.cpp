// Reductions: sum and mean over everything or one dim (keepdim as in PyTorch), max, argmax,
// and sum_to (the inverse of broadcasting, used by every broadcasting backward).
#include "../kernels/reduce.hpp"
#include "gradflow/autograd/node.hpp"
#include "gradflow/factories.hpp"
#include "gradflow/ops.hpp"

namespace gf {

using autograd::Grads;

namespace {

// Sums a contiguous copy of x over `dim`; the result keeps the dim with size 1.
Tensor sum_keepdim(const Tensor& x, int64_t dim) {
  Tensor c = x.contiguous();
  Shape out_shape = x.sizes();
  int64_t n = out_shape[dim];
  out_shape[dim] = 1;
  int64_t outer = 1, inner = 1;
  for (int64_t i = 0; i < dim; ++i) outer *= x.sizes()[i];
  for (int64_t i = dim + 1; i < x.dim(); ++i) inner *= x.sizes()[i];
  Tensor out = empty(out_shape, x.dtype());
  dispatch(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    kernels::sum_dim<T>(c.data_ptr<T>(), out.data_ptr<T>(), outer, n, inner);
  });
  return out;
}

// d sum(x)/dx = 1 everywhere (mean: 1/n): the gradient is broadcast back to x's shape.
Tensor reduce(const Tensor& x0, int64_t dim, bool keepdim, bool is_mean, const char* op) {
  // Like torch, sums of bool and integer tensors are int64.
  const Tensor& x = is_integral(x0.dtype(), true) && x0.dtype() != DType::Int64 && !is_mean
                        ? x0.to(DType::Int64)
                        : x0;
  bool all = dim == INT64_MIN;
  Tensor out;
  if (all) {
    Tensor c = x.contiguous();
    out = empty({}, x.dtype());
    dispatch(x.dtype(), [&](auto tag) {
      using T = decltype(tag);
      *out.data_ptr<T>() = kernels::sum_all<T>(c.data_ptr<T>(), c.numel());
    });
  } else {
    dim = wrap_dim(dim, x.dim(), op);
    if (x.dim() == 0) {
      out = x.detach().clone();
    } else {
      out = sum_keepdim(x, dim);
      if (!keepdim)
        out = make_view(
            out,
            [&] {
              Shape s = out.sizes();
              s.erase(dim);
              return s;
            }(),
            [&] {
              Shape s = out.strides();
              s.erase(dim);
              return s;
            }(),
            0);
    }
  }
  double count =
      all ? static_cast<double>(x.numel()) : static_cast<double>(x.dim() == 0 ? 1 : x.sizes()[dim]);
  if (is_mean) {
    GF_CHECK(is_floating(x.dtype()), op,
             ": could not infer output dtype; input dtype must be a "
             "floating point, got ",
             dtype_name(x.dtype()));
    dispatch_floating(out.dtype(), [&](auto tag) {
      using T = decltype(tag);
      T* p = out.data_ptr<T>();
      for (int64_t i = 0, n = out.numel(); i < n; ++i) p[i] = static_cast<T>(p[i] / count);
    });
  }
  const char* name =
      is_mean ? (all ? "MeanBackward0" : "MeanBackward1") : (all ? "SumBackward0" : "SumBackward1");
  int64_t kept_dim = all || x.dim() == 0 ? -1 : dim;  // -1: every dim was reduced
  double scale = is_mean ? 1.0 / count : 1.0;
  autograd::record(out, name, {x},
                   [shape = x.sizes(), kept_dim, keepdim, scale](const Tensor& g) -> Grads {
                     Tensor grad = kept_dim >= 0 && !keepdim ? unsqueeze(g, kept_dim) : g;
                     grad = expand(grad, shape);
                     return {scale == 1.0 ? grad : grad * scale};
                   });
  return out;
}

}  // namespace

Tensor sum(const Tensor& x) { return reduce(x, INT64_MIN, false, false, "sum"); }
Tensor sum(const Tensor& x, int64_t dim, bool keepdim) {
  return reduce(x, dim, keepdim, false, "sum");
}
Tensor mean(const Tensor& x) { return reduce(x, INT64_MIN, false, true, "mean"); }
Tensor mean(const Tensor& x, int64_t dim, bool keepdim) {
  return reduce(x, dim, keepdim, true, "mean");
}

// sum_to(x, shape) sums x over the dims broadcasting added or stretched (the inverse of expand):
//   d sum_to(x)/dx: the gradient is broadcast back to x's shape, expand(g, x.shape)
Tensor sum_to(const Tensor& x, const Shape& shape) {
  if (x.sizes() == shape) return x;
  std::size_t n = x.sizes().size(), k = shape.size();
  GF_CHECK(k <= n, "sum_to: shape ", shape, " has more dims than ", x.sizes());
  Tensor out = x.detach();
  // leading dims that broadcasting added, then dims where shape has 1
  for (std::size_t i = 0; i < n; ++i) {
    bool leading = i < n - k;
    if (!leading) {
      int64_t want = shape[i - (n - k)];
      GF_CHECK(want == 1 || want == x.sizes()[i], "sum_to: shape ", x.sizes(),
               " is not broadcastable to ", shape);
      if (want != 1 || x.sizes()[i] == 1) continue;
    }
    out = sum_keepdim(out, static_cast<int64_t>(i));
  }
  Tensor c = out.contiguous();
  out = make_view(c, shape, contiguous_strides(shape), c.storage_offset());
  autograd::record(out, "SumToBackward0", {x},
                   [shape = x.sizes()](const Tensor& g) -> Grads { return {expand(g, shape)}; });
  return out;
}

}  // namespace gf
