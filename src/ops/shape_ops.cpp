// Shape ops beyond plain views: flip, roll, repeat/tile, split/chunk/unbind (one node with several
// outputs, like PyTorch's SplitBackward0), narrow, movedim, swapaxes, expand_as, tril, triu.
// Each backward maps the gradient back with differentiable ops (flip back, roll back, sum over
// the repeats, cat/stack the pieces, mask again), so double backward works.
#include <algorithm>

#include "gradflow/autograd/node.hpp"
#include "gradflow/factories.hpp"
#include "gradflow/ops.hpp"

namespace gf {

using autograd::Backward;
using autograd::Grads;

namespace {

std::vector<int64_t> wrap_dims(const std::vector<int64_t>& dims, int64_t ndim, const char* op) {
  std::vector<int64_t> out;
  std::vector<bool> seen(std::max<int64_t>(ndim, 1), false);
  for (int64_t d : dims) {
    int64_t w = wrap_dim(d, ndim, op);
    GF_CHECK(!seen[w], op, ": dim ", w, " appears multiple times in the list of dims ",
             Shape(dims));
    seen[w] = true;
    out.push_back(w);
  }
  return out;
}

}  // namespace

// y = x reversed along dims:  dL/dx = flip(g, dims)
Tensor flip(const Tensor& x, const std::vector<int64_t>& dims) {
  std::vector<int64_t> ds = wrap_dims(dims, x.dim(), "flip");
  Shape strides = x.strides();
  int64_t offset = x.storage_offset();
  for (int64_t d : ds) {
    if (x.dim() == 0 || x.sizes()[d] == 0) continue;
    offset += (x.sizes()[d] - 1) * strides[d];
    strides[d] = -strides[d];
  }
  Tensor out = make_view(x.detach(), x.sizes(), strides, offset).clone();
  autograd::record(out, "FlipBackward0", {x},
                   [ds](const Tensor& g) -> Grads { return {flip(g, ds)}; });
  return out;
}

// y = x shifted circularly by shifts[i] along dims[i] (all dims flattened when dims is empty):
//   dL/dx = roll(g, -shifts, dims)
Tensor roll(const Tensor& x, const std::vector<int64_t>& shifts, const std::vector<int64_t>& dims) {
  GF_CHECK(!shifts.empty(), "roll: `shifts` required");
  GF_CHECK(dims.empty() ? shifts.size() == 1 : shifts.size() == dims.size(),
           "roll: shifts and dimensions must align. shifts: ", shifts.size(),
           ", dims:", dims.size());
  Tensor out;
  {
    NoGradGuard no_grad;
    auto roll_dim = [](const Tensor& t, int64_t s, int64_t d) {
      int64_t n = t.sizes()[d];
      if (n == 0) return t;
      s = ((s % n) + n) % n;
      if (s == 0) return t;
      return cat({narrow(t, d, n - s, s), narrow(t, d, 0, n - s)}, d);
    };
    if (dims.empty()) {
      out = reshape(roll_dim(flatten(x.detach()), shifts[0], 0), x.sizes());
    } else {
      out = x.detach();
      for (std::size_t i = 0; i < dims.size(); ++i)
        out = roll_dim(out, shifts[i], wrap_dim(dims[i], x.dim(), "roll"));
    }
    if (out.impl().storage == x.impl().storage) out = out.clone();  // nothing moved: still a copy
  }
  std::vector<int64_t> back(shifts.size());
  for (std::size_t i = 0; i < shifts.size(); ++i) back[i] = -shifts[i];
  autograd::record(out, "RollBackward0", {x},
                   [back, dims](const Tensor& g) -> Grads { return {roll(g, back, dims)}; });
  return out;
}

// y = x tiled repeats[i] times along each dim (x gains leading dims of size 1 when repeats is
// longer):  dL/dx = g seen as [r0, s0, r1, s1, ...] summed over the r dims
Tensor repeat(const Tensor& x, const std::vector<int64_t>& repeats) {
  std::size_t k = repeats.size(), nd = x.sizes().size();
  GF_CHECK(k >= nd, "repeat: number of dimensions of repeat dims (", k,
           ") can not be smaller than number of dimensions of tensor (", nd, ")");
  GF_CHECK(2 * k <= Shape::kMaxDims || k == 0, "repeat: at most ", Shape::kMaxDims / 2,
           " repeat dims are supported, got ", k);
  Shape sizes, inter, expanded, final_shape;
  for (std::size_t i = 0; i < k; ++i) {
    GF_CHECK(repeats[i] >= 0, "repeat: trying to create tensor with negative dimension ",
             repeats[i], " (repeats ", Shape(repeats), ")");
    int64_t s = i < k - nd ? 1 : x.sizes()[i - (k - nd)];
    sizes.push_back(s);
    inter.push_back(1);
    inter.push_back(s);
    expanded.push_back(repeats[i]);
    expanded.push_back(s);
    final_shape.push_back(repeats[i] * s);
  }
  Tensor out;
  {
    NoGradGuard no_grad;
    out = reshape(expand(reshape(x.detach(), inter), expanded).contiguous(), final_shape);
  }
  Shape in_shape = x.sizes();
  autograd::record(out, "RepeatBackward0", {x}, [expanded, in_shape, k](const Tensor& g) -> Grads {
    std::vector<int64_t> rdims;
    for (std::size_t i = 0; i < k; ++i) rdims.push_back(static_cast<int64_t>(2 * i));
    if (k == 0) return {g};
    return {reshape(sum(reshape(g, expanded), rdims), in_shape)};
  });
  return out;
}
Tensor Tensor::repeat(const std::vector<int64_t>& repeats) const {
  return gf::repeat(*this, repeats);
}

// numpy's tile: repeats shorter than x.dim() are padded with leading 1s; then repeat.
Tensor tile(const Tensor& x, const std::vector<int64_t>& reps) {
  std::vector<int64_t> r = reps;
  while (static_cast<int64_t>(r.size()) < x.dim()) r.insert(r.begin(), 1);
  return repeat(x, r);
}

namespace {

// The pieces of x along dim with the given sizes, as views recorded on one node `name`:
//   dL/dx = cat(g_k, dim)  with zeros for pieces that received no gradient
std::vector<Tensor> split_views(const Tensor& x, const std::vector<int64_t>& sizes, int64_t dim,
                                const char* name) {
  std::vector<Tensor> outs;
  int64_t off = 0;
  Tensor base = x.detach();
  for (int64_t s : sizes) {
    Shape sz = x.sizes();
    sz[dim] = s;
    outs.push_back(make_view(base, sz, x.strides(), x.storage_offset() + off * x.strides()[dim]));
    off += s;
  }
  std::vector<std::reference_wrapper<Tensor>> refs(outs.begin(), outs.end());
  Shape shape = x.sizes();
  DType dt = x.dtype();
  autograd::record_outputs(refs, name, {x}, [sizes, shape, dt, dim](const Backward& bw) -> Grads {
    std::vector<Tensor> parts;
    for (std::size_t k = 0; k < sizes.size(); ++k) {
      const Tensor& g = bw.grads()[k];
      if (g.defined()) {
        parts.push_back(g);
      } else {
        Shape s = shape;
        s[dim] = sizes[k];
        parts.push_back(zeros(s, dt));
      }
    }
    return {cat(parts, dim)};
  });
  return outs;
}

}  // namespace

std::vector<Tensor> split(const Tensor& x, int64_t split_size, int64_t dim) {
  GF_CHECK(x.dim() > 0, "split: expected at least a 1-dimensional tensor");
  dim = wrap_dim(dim, x.dim(), "split");
  int64_t n = x.sizes()[dim];
  GF_CHECK(split_size > 0 || (split_size == 0 && n == 0),
           "split: split_size can only be 0 if dimension size is 0, but got split_size ",
           split_size, " for dimension ", dim, " of size ", n);
  std::vector<int64_t> sizes;
  if (n == 0) sizes.push_back(0);
  for (int64_t off = 0; off < n; off += split_size) sizes.push_back(std::min(split_size, n - off));
  return split_views(x, sizes, dim, "SplitBackward0");
}

std::vector<Tensor> split(const Tensor& x, const std::vector<int64_t>& split_sizes, int64_t dim) {
  GF_CHECK(x.dim() > 0, "split_with_sizes: expected at least a 1-dimensional tensor");
  dim = wrap_dim(dim, x.dim(), "split_with_sizes");
  int64_t total = 0;
  for (int64_t s : split_sizes) {
    GF_CHECK(s >= 0, "split_with_sizes: split_sizes must be non-negative, got ",
             Shape(split_sizes));
    total += s;
  }
  GF_CHECK(total == x.sizes()[dim], "split_with_sizes: expects split_sizes to sum exactly to ",
           x.sizes()[dim], " (input tensor's size at dimension ", dim,
           "), but got split_sizes=", Shape(split_sizes));
  return split_views(x, split_sizes, dim, "SplitWithSizesBackward0");
}

// ceil(size / chunks) elements per chunk, so there may be fewer than `chunks` pieces (PyTorch).
std::vector<Tensor> chunk(const Tensor& x, int64_t chunks, int64_t dim) {
  GF_CHECK(x.dim() > 0, "chunk: expects at least a 1-dimensional tensor");
  GF_CHECK(chunks > 0, "chunk: expects `chunks` to be greater than 0, got: ", chunks);
  dim = wrap_dim(dim, x.dim(), "chunk");
  int64_t n = x.sizes()[dim];
  return split(x, std::max<int64_t>((n + chunks - 1) / chunks, n == 0 ? 0 : 1), dim);
}

// The slices x.select(dim, i):  dL/dx = stack(g_i, dim)  (zeros where g_i is absent)
std::vector<Tensor> unbind(const Tensor& x, int64_t dim) {
  GF_CHECK(x.dim() > 0, "unbind: dimension specified as ", dim, " but tensor has no dimensions");
  dim = wrap_dim(dim, x.dim(), "unbind");
  int64_t n = x.sizes()[dim];
  Shape sz = x.sizes(), st = x.strides();
  sz.erase(dim);
  st.erase(dim);
  std::vector<Tensor> outs;
  Tensor base = x.detach();
  for (int64_t i = 0; i < n; ++i)
    outs.push_back(make_view(base, sz, st, x.storage_offset() + i * x.strides()[dim]));
  std::vector<std::reference_wrapper<Tensor>> refs(outs.begin(), outs.end());
  DType dt = x.dtype();
  autograd::record_outputs(refs, "UnbindBackward0", {x},
                           [sz, dt, dim](const Backward& bw) -> Grads {
                             std::vector<Tensor> parts;
                             for (const Tensor& g : bw.grads())
                               parts.push_back(g.defined() ? g : zeros(sz, dt));
                             return {stack(parts, dim)};
                           });
  return outs;
}

Tensor narrow(const Tensor& x, int64_t dim, int64_t start, int64_t length) {
  GF_CHECK(x.dim() > 0, "narrow: narrow() cannot be applied to a 0-dim tensor.");
  dim = wrap_dim(dim, x.dim(), "narrow");
  int64_t n = x.sizes()[dim];
  GF_CHECK(start >= -n && start <= n, "narrow: start out of range (expected to be in range of [",
           -n, ", ", n, "], but got ", start, ")");
  if (start < 0) start += n;
  GF_CHECK(length >= 0 && start <= n - length, "narrow: start (", start, ") + length (", length,
           ") exceeds dimension size (", n, ").");
  return slice(x, dim, start, start + length);
}

Tensor movedim(const Tensor& x, const std::vector<int64_t>& source,
               const std::vector<int64_t>& destination) {
  GF_CHECK(source.size() == destination.size(),
           "movedim: Invalid source or destination dims: "
           "source (",
           Shape(source),
           " dims) should contain the same number of dims as "
           "destination (",
           Shape(destination), " dims)");
  int64_t n = x.dim();
  std::vector<int64_t> src = wrap_dims(source, n, "movedim");
  std::vector<int64_t> dst = wrap_dims(destination, n, "movedim");
  if (n == 0) return x;
  std::vector<int64_t> order(n, -1);
  std::vector<bool> used(n, false);
  for (std::size_t i = 0; i < src.size(); ++i) {
    order[dst[i]] = src[i];
    used[src[i]] = true;
  }
  int64_t next = 0;
  for (int64_t d = 0; d < n; ++d) {
    if (order[d] >= 0) continue;
    while (used[next]) ++next;
    order[d] = next++;
  }
  return permute(x, order);
}
Tensor movedim(const Tensor& x, int64_t source, int64_t destination) {
  return movedim(x, std::vector<int64_t>{source}, std::vector<int64_t>{destination});
}

Tensor swapaxes(const Tensor& x, int64_t axis0, int64_t axis1) {
  return transpose(x, axis0, axis1);
}

Tensor expand_as(const Tensor& x, const Tensor& other) { return expand(x, other.sizes()); }

namespace {

// Keeps the lower (tril) or upper (triu) triangle of the last two dims: element (i, j) stays
// when j - i <= k (tril) or j - i >= k (triu).
Tensor triangle(const Tensor& x, int64_t k, bool lower) {
  const char* op = lower ? "tril" : "triu";
  GF_CHECK(x.dim() >= 2, op, ": input tensor must have at least 2 dimensions, got shape ",
           x.sizes());
  Tensor out = x.detach().clone();
  int64_t r = x.sizes()[x.dim() - 2], c = x.sizes()[x.dim() - 1];
  int64_t mats = r * c == 0 ? 0 : x.numel() / (r * c);
  dispatch(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    T* p = out.data_ptr<T>();
    for (int64_t m = 0; m < mats; ++m)
      for (int64_t i = 0; i < r; ++i)
        for (int64_t j = 0; j < c; ++j)
          if (lower ? j - i > k : j - i < k) p[(m * r + i) * c + j] = T(0);
  });
  autograd::record(
      out, lower ? "TrilBackward0" : "TriuBackward0", {x},
      [k, lower](const Tensor& g) -> Grads { return {lower ? tril(g, k) : triu(g, k)}; });
  return out;
}

}  // namespace

// dL/dx = tril(g, k) / triu(g, k): the same mask
Tensor tril(const Tensor& x, int64_t k) { return triangle(x, k, true); }
Tensor triu(const Tensor& x, int64_t k) { return triangle(x, k, false); }

}  // namespace gf
