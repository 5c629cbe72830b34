// Indexing and joining: gather, index_select, cat, stack. The backward of gather and index_select
// scatters the gradient back with an add (repeated indices accumulate); those scatters are
// differentiable ops themselves (their backward is gather / index_select again), so
// create_graph works through every op here.
#include <cstring>

#include "../kernels/elementwise.hpp"
#include "../kernels/index_walk.hpp"
#include "gradflow/autograd/node.hpp"
#include "gradflow/factories.hpp"
#include "gradflow/ops.hpp"

namespace gf {

using autograd::Backward;
using autograd::Grads;

namespace {

void check_index(const Tensor& index, const char* op) {
  GF_CHECK(index.dtype() == DType::Int64, op, ": expected index of dtype torch.int64, got ",
           dtype_name(index.dtype()));
}

[[noreturn]] void out_of_bounds(const char* op, int64_t idx, int64_t dim, int64_t size) {
  detail::fail(op, ": index ", idx, " is out of bounds for dimension ", dim, " with size ", size);
}

// out = zeros(shape); out[..., index[i..], ...] += src[i..] along dim (torch's scatter_add).
Tensor scatter_add_new(const Shape& shape, int64_t dim, const Tensor& index, const Tensor& src);

// scatter_add is linear in src, and it is gather's adjoint:  dL/dsrc = gather(g, dim, index)
Tensor scatter_add_new(const Shape& shape, int64_t dim, const Tensor& index, const Tensor& src) {
  Tensor out = zeros(shape, src.dtype());
  dispatch(src.dtype(), [&](auto tag) {
    using T = decltype(tag);
    T* o = out.data_ptr<T>();
    const T* s = static_cast<const T*>(src.impl().storage->data);
    int64_t stride = out.strides()[dim];
    kernels::walk_index(
        out, dim, index, src, "scatter_add",
        [&](int64_t off, int64_t idx, int64_t soff) { o[off + idx * stride] += s[soff]; });
  });
  autograd::record(
      out, "ScatterAddBackward0", {src}, {{"index", index}},
      [dim](const Tensor& g, const Tensor& index) -> Grads { return {gather(g, dim, index)}; });
  return out;
}

// index_add into zeros: out[..., index[j], ...] += src[..., j, ...] along dim.
Tensor index_add_new(const Shape& shape, int64_t dim, const Tensor& index, const Tensor& src);

// Splits a contiguous tensor's shape around dim: [outer, shape[dim], inner].
void split_dims(const Shape& s, int64_t dim, int64_t& outer, int64_t& inner) {
  outer = inner = 1;
  for (int64_t i = 0; i < dim; ++i) outer *= s[i];
  for (std::size_t i = dim + 1; i < s.size(); ++i) inner *= s[i];
}

// index_add is index_select's adjoint:  dL/dsrc = index_select(g, dim, index)
Tensor index_add_new(const Shape& shape, int64_t dim, const Tensor& index, const Tensor& src) {
  Tensor out = zeros(shape, src.dtype());
  Tensor s = src.contiguous();
  Tensor idx = index.contiguous();
  int64_t outer, inner, n = shape[dim], k = idx.numel();
  split_dims(shape, dim, outer, inner);
  const int64_t* ip = idx.data_ptr<int64_t>();
  dispatch(src.dtype(), [&](auto tag) {
    using T = decltype(tag);
    T* o = out.data_ptr<T>();
    const T* sp = s.data_ptr<T>();
    for (int64_t a = 0; a < outer; ++a)
      for (int64_t j = 0; j < k; ++j) {
        if (ip[j] < 0 || ip[j] >= n) out_of_bounds("index_add", ip[j], dim, n);
        T* dst = o + (a * n + ip[j]) * inner;
        const T* from = sp + (a * k + j) * inner;
        for (int64_t i = 0; i < inner; ++i) dst[i] += from[i];
      }
  });
  autograd::record(out, "IndexAddBackward0", {src}, {{"index", idx}},
                   [dim](const Tensor& g, const Tensor& index) -> Grads {
                     return {index_select(g, dim, index)};
                   });
  return out;
}

// The concatenation itself, without recording: one memcpy per input per outer block.
Tensor cat_impl(const std::vector<Tensor>& xs, int64_t& dim, std::vector<int64_t>& sizes) {
  GF_CHECK(!xs.empty(), "cat: expected a non-empty list of tensors");
  // PyTorch's legacy rule: 1-D tensors of size 0 are skipped.
  auto skipped = [](const Tensor& x) { return x.dim() == 1 && x.numel() == 0; };
  int64_t ref = -1;
  DType dt = xs[0].dtype();
  for (std::size_t i = 0; i < xs.size(); ++i) {
    GF_CHECK(xs[i].dim() > 0, "cat: zero-dimensional tensor (at position ", i,
             ") cannot be concatenated");
    dt = i == 0 ? dt : promote_types(dt, xs[i].dtype());
    if (ref < 0 && !skipped(xs[i])) ref = static_cast<int64_t>(i);
  }
  if (ref < 0) ref = 0;
  const Shape& rs = xs[ref].sizes();
  dim = wrap_dim(dim, static_cast<int64_t>(rs.size()), "cat");
  Shape out_shape = rs;
  out_shape[dim] = 0;
  sizes.assign(xs.size(), -1);
  for (std::size_t i = 0; i < xs.size(); ++i) {
    if (skipped(xs[i]) && static_cast<int64_t>(i) != ref) continue;
    const Shape& s = xs[i].sizes();
    GF_CHECK(s.size() == rs.size(), "cat: tensors must have the same number of dimensions: got ",
             rs.size(), " and ", s.size(), " (shapes ", rs, " and ", s, ")");
    for (std::size_t d = 0; d < s.size(); ++d)
      GF_CHECK(static_cast<int64_t>(d) == dim || s[d] == rs[d],
               "cat: sizes of tensors must match except in dimension ", dim, ". Expected size ",
               rs[d], " but got size ", s[d], " for tensor number ", i, " in the list (shapes ", rs,
               " and ", s, ")");
    sizes[i] = s[dim];
    out_shape[dim] += s[dim];
  }
  Tensor out = empty(out_shape, dt);
  int64_t outer, inner;
  split_dims(out_shape, dim, outer, inner);
  std::size_t es = element_size(dt);
  int64_t total = out_shape[dim], off = 0;
  char* o = static_cast<char*>(out.impl().storage->data);
  NoGradGuard no_grad;
  for (std::size_t i = 0; i < xs.size(); ++i) {
    if (sizes[i] < 0) continue;
    Tensor c = (xs[i].dtype() == dt ? xs[i] : xs[i].to(dt)).contiguous();
    const char* src = static_cast<const char*>(c.impl().storage->data) + c.storage_offset() * es;
    std::size_t block = static_cast<std::size_t>(sizes[i] * inner) * es;
    for (int64_t a = 0; a < outer; ++a)
      if (block) std::memcpy(o + ((a * total + off) * inner) * es, src + a * block, block);
    off += sizes[i];
  }
  return out;
}

}  // namespace

// d gather(x, dim, index)/dx: each gathered element's gradient goes back where it came from,
//   dL/dx = zeros_like(x).scatter_add(dim, index, g)
Tensor gather(const Tensor& x, int64_t dim, const Tensor& index) {
  check_index(index, "gather");
  dim = wrap_dim(dim, std::max<int64_t>(x.dim(), 1), "gather");
  GF_CHECK(index.dim() == x.dim() && x.dim() > 0,
           "gather: index tensor must have the same number of dimensions as input tensor, got "
           "shapes ",
           index.sizes(), " (index) and ", x.sizes(), " (input)");
  for (int64_t d = 0; d < x.dim(); ++d)
    GF_CHECK(d == dim || index.sizes()[d] <= x.sizes()[d], "gather: size of index ", index.sizes(),
             " does not fit input ", x.sizes(), " at dimension ", d, " (only dimension ", dim,
             " may be larger)");
  Tensor out = empty(index.sizes(), x.dtype());
  dispatch(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    T* o = out.data_ptr<T>();
    const T* xp = static_cast<const T*>(x.impl().storage->data);
    int64_t stride = x.strides()[dim];
    int64_t pos = 0;
    kernels::walk_index(x, dim, index, Tensor(), "gather", [&](int64_t off, int64_t idx, int64_t) {
      o[pos++] = xp[off + idx * stride];
    });
  });
  autograd::record(out, "GatherBackward0", {x}, {{"index", index}},
                   [shape = x.sizes(), dim](const Tensor& g, const Tensor& index) -> Grads {
                     return {scatter_add_new(shape, dim, index, g)};
                   });
  return out;
}

// d index_select(x, dim, index)/dx:  dL/dx = zeros_like(x).index_add(dim, index, g)
Tensor index_select(const Tensor& x, int64_t dim, const Tensor& index) {
  check_index(index, "index_select");
  GF_CHECK(index.dim() <= 1, "index_select: index is supposed to be a vector, got shape ",
           index.sizes());
  GF_CHECK(x.dim() > 0, "index_select: expected an input with at least one dimension");
  dim = wrap_dim(dim, x.dim(), "index_select");
  Tensor c = x.contiguous();
  Tensor idx = index.contiguous();
  Shape out_shape = x.sizes();
  int64_t n = out_shape[dim], k = idx.numel();
  out_shape[dim] = k;
  int64_t outer, inner;
  split_dims(out_shape, dim, outer, inner);
  const int64_t* ip = idx.data_ptr<int64_t>();
  for (int64_t j = 0; j < k; ++j)
    if (ip[j] < 0 || ip[j] >= n) out_of_bounds("index_select", ip[j], dim, n);
  Tensor out = empty(out_shape, x.dtype());
  std::size_t es = element_size(x.dtype());
  const char* src = static_cast<const char*>(c.impl().storage->data) + c.storage_offset() * es;
  char* o = static_cast<char*>(out.impl().storage->data);
  std::size_t row = static_cast<std::size_t>(inner) * es;
  for (int64_t a = 0; a < outer; ++a)
    for (int64_t j = 0; j < k; ++j)
      std::memcpy(o + (a * k + j) * row, src + (a * n + ip[j]) * row, row);
  autograd::record(out, "IndexSelectBackward0", {x}, {{"index", idx}},
                   [shape = x.sizes(), dim](const Tensor& g, const Tensor& index) -> Grads {
                     return {index_add_new(shape, dim, index, g)};
                   });
  return out;
}

// cat: each input's gradient is its slice of g along dim (a skipped empty 1-D input gets an
// empty one)
Tensor cat(const std::vector<Tensor>& xs, int64_t dim) {
  std::vector<int64_t> sizes;
  Tensor out = cat_impl(xs, dim, sizes);
  autograd::record(out, "CatBackward0", std::span<const Tensor>(xs),
                   [dim, sizes = std::move(sizes)](const Backward& bw) -> Grads {
                     Grads r(sizes.size());
                     int64_t off = 0;
                     for (std::size_t i = 0; i < sizes.size(); ++i) {
                       if (sizes[i] < 0) {
                         if (bw.needs(i)) r[i] = zeros({0}, bw.grad().dtype());
                         continue;
                       }
                       if (bw.needs(i)) r[i] = slice(bw.grad(), dim, off, off + sizes[i]);
                       off += sizes[i];
                     }
                     return r;
                   });
  return out;
}

// stack: each input's gradient is g selected at its position along the new dim
Tensor stack(const std::vector<Tensor>& xs, int64_t dim) {
  GF_CHECK(!xs.empty(), "stack: expected a non-empty list of tensors");
  const Shape& s0 = xs[0].sizes();
  for (std::size_t i = 1; i < xs.size(); ++i)
    GF_CHECK(xs[i].sizes() == s0, "stack: expects each tensor to be equal size, but got ", s0,
             " at entry 0 and ", xs[i].sizes(), " at entry ", i);
  dim = wrap_dim(dim, xs[0].dim() + 1, "stack");
  Tensor out;
  {
    NoGradGuard no_grad;
    std::vector<Tensor> parts;
    parts.reserve(xs.size());
    for (const Tensor& x : xs) parts.push_back(unsqueeze(x, dim));
    int64_t d = dim;
    std::vector<int64_t> sizes;
    out = cat_impl(parts, d, sizes);
  }
  autograd::record(out, "StackBackward0", std::span<const Tensor>(xs),
                   [dim, n = xs.size()](const Backward& bw) -> Grads {
                     Grads r(n);
                     for (std::size_t i = 0; i < n; ++i)
                       if (bw.needs(i)) r[i] = select(bw.grad(), dim, static_cast<int64_t>(i));
                     return r;
                   });
  return out;
}

}  // namespace gf
