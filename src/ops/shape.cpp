// Views: transpose, permute, reshape, flatten, unsqueeze, squeeze, expand, slice, select.
// A view shares storage (new sizes/strides/offset, no copy); reshape copies only when the
// strides make a view impossible. Each backward maps the gradient back to the input's shape.
#include <algorithm>
#include <numeric>

#include "gradflow/autograd/node.hpp"
#include "gradflow/factories.hpp"
#include "gradflow/ops.hpp"

namespace gf {

using autograd::Grads;

namespace {

// Places g into a zero tensor of `shape` at the positions slice(dim, start, end, step) took.
// Differentiable itself: its backward takes the same slice.
//   d slice_backward(g)/dg = slice(gg, dim, start, end, step)
Tensor slice_backward(const Tensor& g, const Shape& shape, int64_t dim, int64_t start, int64_t end,
                      int64_t step) {
  Tensor out = zeros(shape, g.dtype());
  {
    NoGradGuard no_grad;
    Tensor view = slice(out, dim, start, end, step);
    // view is a strided window into out: write g through it
    Tensor src = g.contiguous();
    dispatch(out.dtype(), [&](auto tag) {
      using T = decltype(tag);
      T* base = static_cast<T*>(view.impl().storage->data);
      const T* s = src.data_ptr<T>();
      const Shape& sz = view.sizes();
      const Shape& st = view.strides();
      int64_t n = view.numel();
      for (int64_t i = 0; i < n; ++i) {
        int64_t rem = i, off = view.storage_offset();
        for (std::size_t d = sz.size(); d-- > 0;) {
          off += (rem % sz[d]) * st[d];
          rem /= sz[d];
        }
        base[off] = s[i];
      }
    });
  }
  autograd::record(out, "SliceBackwardBackward0", {g},
                   [dim, start, end, step](const Tensor& gg) -> Grads {
                     return {slice(gg, dim, start, end, step)};
                   });
  return out;
}

// x with dims d0 and d1 swapped (wrapped already), not recorded.
Tensor swap_dims(const Tensor& x, int64_t d0, int64_t d1) {
  Shape sizes = x.sizes(), strides = x.strides();
  std::swap(sizes[d0], sizes[d1]);
  std::swap(strides[d0], strides[d1]);
  return make_view(x, sizes, strides, x.storage_offset());
}

bool can_view(const Tensor& x) { return x.is_contiguous(); }

}  // namespace

// d transpose(x, d0, d1)/dx: the gradient transposed back
Tensor transpose(const Tensor& x, int64_t d0, int64_t d1) {
  int64_t n = x.dim();
  if (n == 0) return x;  // PyTorch allows transpose(0, 0) on a 0-d tensor
  d0 = wrap_dim(d0, n, "transpose");
  d1 = wrap_dim(d1, n, "transpose");
  Tensor out = swap_dims(x, d0, d1);
  autograd::record(out, "TransposeBackward0", {x},
                   [d0, d1](const Tensor& g) -> Grads { return {transpose(g, d0, d1)}; });
  return out;
}

// d t(x)/dx: t(g)
Tensor t(const Tensor& x) {
  GF_CHECK(x.dim() <= 2, "t: expects a tensor with <= 2 dimensions, but self is ", x.dim(),
           "D (shape ", x.sizes(), ")");
  Tensor out =
      x.dim() < 2 ? make_view(x, x.sizes(), x.strides(), x.storage_offset()) : swap_dims(x, 0, 1);
  autograd::record(out, "TBackward0", {x}, [](const Tensor& g) -> Grads { return {t(g)}; });
  return out;
}

// d permute(x, dims)/dx: permute(g, inverse(dims))
Tensor permute(const Tensor& x, const Shape& dims) {
  int64_t n = x.dim();
  GF_CHECK(static_cast<int64_t>(dims.size()) == n, "permute: number of dims ", dims,
           " does not match the tensor's ", n, " dims (shape ", x.sizes(), ")");
  Shape sizes = x.sizes(), strides = x.strides(), inverse = Shape::filled(n, -1);
  for (int64_t i = 0; i < n; ++i) {
    int64_t d = wrap_dim(dims[i], n, "permute");
    GF_CHECK(inverse[d] == -1, "permute: repeated dim ", dims[i], " in ", dims);
    inverse[d] = i;
    sizes[i] = x.sizes()[d];
    strides[i] = x.strides()[d];
  }
  Tensor out = make_view(x, sizes, strides, x.storage_offset());
  autograd::record(out, "PermuteBackward0", {x},
                   [inverse](const Tensor& g) -> Grads { return {permute(g, inverse)}; });
  return out;
}

// d reshape(x)/dx: the gradient reshaped back to x's shape
Tensor reshape(const Tensor& x, const Shape& shape) {
  Shape target = shape;
  int64_t known = 1, infer = -1;
  for (std::size_t i = 0; i < target.size(); ++i) {
    if (target[i] == -1) {
      GF_CHECK(infer < 0, "reshape: only one dimension can be inferred in ", shape);
      infer = static_cast<int64_t>(i);
    } else {
      GF_CHECK(target[i] >= 0, "reshape: invalid shape dimension ", target[i], " in ", shape);
      known *= target[i];
    }
  }
  if (infer >= 0) {
    GF_CHECK(known != 0 && x.numel() % known == 0, "reshape: shape ", shape,
             " is invalid for input of size ", x.numel());
    target[infer] = x.numel() / known;
  }
  GF_CHECK(target.numel() == x.numel(), "reshape: shape ", shape, " is invalid for input of size ",
           x.numel(), " (shape ", x.sizes(), ")");
  bool viewable = can_view(x);
  Tensor base = viewable ? x.detach() : x.detach().contiguous();
  Tensor out = make_view(base, target, contiguous_strides(target), base.storage_offset());
  autograd::record(out, viewable ? "ViewBackward0" : "UnsafeViewBackward0", {x},
                   [shape = x.sizes()](const Tensor& g) -> Grads { return {reshape(g, shape)}; });
  return out;
}

Tensor flatten(const Tensor& x, int64_t start, int64_t end) {
  if (x.dim() == 0) return reshape(x, {1});
  start = wrap_dim(start, x.dim(), "flatten");
  end = wrap_dim(end, x.dim(), "flatten");
  GF_CHECK(start <= end, "flatten: start_dim (", start, ") cannot come after end_dim (", end, ")");
  Shape s;
  for (int64_t i = 0; i < start; ++i) s.push_back(x.sizes()[i]);
  int64_t m = 1;
  for (int64_t i = start; i <= end; ++i) m *= x.sizes()[i];
  s.push_back(m);
  for (int64_t i = end + 1; i < x.dim(); ++i) s.push_back(x.sizes()[i]);
  return reshape(x, s);
}

// d unsqueeze(x, dim)/dx: squeeze(g, dim)
Tensor unsqueeze(const Tensor& x, int64_t dim) {
  dim = wrap_dim(dim, x.dim() + 1, "unsqueeze");
  Shape sizes = x.sizes(), strides = x.strides();
  int64_t st = dim < x.dim() ? x.strides()[dim] * x.sizes()[dim] : 1;
  sizes.insert(dim, 1);
  strides.insert(dim, st);
  Tensor out = make_view(x, sizes, strides, x.storage_offset());
  autograd::record(out, "UnsqueezeBackward0", {x},
                   [dim](const Tensor& g) -> Grads { return {squeeze(g, dim)}; });
  return out;
}

// d squeeze(x, dim)/dx: unsqueeze(g, dim)
Tensor squeeze(const Tensor& x, int64_t dim) {
  if (x.dim() == 0) {
    wrap_dim(dim, 0, "squeeze");  // a 0-d tensor takes dim 0 or -1 only, like PyTorch
    return x;
  }
  dim = wrap_dim(dim, x.dim(), "squeeze");
  if (x.sizes()[dim] != 1) return x;  // PyTorch: squeezing a non-1 dim is a no-op
  Shape sizes = x.sizes(), strides = x.strides();
  sizes.erase(dim);
  strides.erase(dim);
  Tensor out = make_view(x, sizes, strides, x.storage_offset());
  autograd::record(out, "SqueezeBackward1", {x},
                   [dim](const Tensor& g) -> Grads { return {unsqueeze(g, dim)}; });
  return out;
}

// d expand(x)/dx: the gradient summed over the broadcast dims, sum_to(g, x.shape)
Tensor expand(const Tensor& x, const Shape& shape) {
  GF_CHECK(shape.size() >= x.sizes().size(), "expand: the number of sizes provided (", shape.size(),
           ") must be greater or equal to the number of dimensions in the tensor (", x.dim(), ")");
  std::size_t n = shape.size(), k = x.sizes().size();
  Shape sizes = shape, strides = Shape::filled(n, 0);
  for (std::size_t i = 0; i < n; ++i) {
    if (i < n - k) {
      GF_CHECK(shape[i] >= 0, "expand: -1 not allowed in leading, non-existing dimension ", i);
      continue;
    }
    int64_t have = x.sizes()[i - (n - k)];
    if (shape[i] == -1) sizes[i] = have;
    GF_CHECK(have == sizes[i] || have == 1, "expand: the expanded size of the tensor (", sizes[i],
             ") must match the existing size (", have, ") at non-singleton dimension ", i,
             ".  Target sizes: ", shape, ".  Tensor sizes: ", x.sizes());
    strides[i] = have == sizes[i] ? x.strides()[i - (n - k)] : 0;
  }
  if (sizes == x.sizes()) return x;
  Tensor out = make_view(x, sizes, strides, x.storage_offset());
  autograd::record(out, "ExpandBackward0", {x},
                   [shape = x.sizes()](const Tensor& g) -> Grads { return {sum_to(g, shape)}; });
  return out;
}

// d slice(x)/dx: g placed into zeros at the sliced positions (slice_backward)
Tensor slice(const Tensor& x, int64_t dim, int64_t start, int64_t end, int64_t step) {
  GF_CHECK(x.dim() > 0, "slice: slice() cannot be applied to a 0-dim tensor.");
  dim = wrap_dim(dim, x.dim(), "slice");
  GF_CHECK(step > 0, "slice: step must be positive, got ", step);
  int64_t n = x.sizes()[dim];
  if (start < 0) start += n;
  if (end < 0) end += n;
  start = std::clamp<int64_t>(start, 0, n);
  end = std::clamp<int64_t>(end, start, n);
  Shape sizes = x.sizes(), strides = x.strides();
  sizes[dim] = (end - start + step - 1) / step;
  strides[dim] *= step;
  Tensor out = make_view(x, sizes, strides, x.storage_offset() + start * x.strides()[dim]);
  autograd::record(out, "SliceBackward0", {x},
                   [shape = x.sizes(), dim, start, end, step](const Tensor& g) -> Grads {
                     return {slice_backward(g, shape, dim, start, end, step)};
                   });
  return out;
}

// d select(x, dim, i)/dx: g placed into zeros at index i of dim
Tensor select(const Tensor& x, int64_t dim, int64_t index) {
  GF_CHECK(x.dim() > 0, "select: cannot be applied to a 0-dim tensor");
  dim = wrap_dim(dim, x.dim(), "select");
  int64_t n = x.sizes()[dim];
  GF_CHECK(index >= -n && index < n, "select: index ", index, " out of range for tensor of size ",
           x.sizes(), " at dimension ", dim);
  if (index < 0) index += n;
  Shape sizes = x.sizes(), strides = x.strides();
  sizes.erase(dim);
  strides.erase(dim);
  Tensor out = make_view(x, sizes, strides, x.storage_offset() + index * x.strides()[dim]);
  autograd::record(out, "SelectBackward0", {x},
                   [shape = x.sizes(), dim, index](const Tensor& g) -> Grads {
                     return {slice_backward(unsqueeze(g, dim), shape, dim, index, index + 1, 1)};
                   });
  return out;
}

}  // namespace gf
