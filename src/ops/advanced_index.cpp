// x.index({...}) and x.index_put_({...}, v): PyTorch's indexing (include/gradflow/indexing.hpp).
// Ints, Slices, None and Ellipsis become the view ops select / slice / unsqueeze (recorded as
// such: x.index({0}) is a SelectBackward0 view). The advanced part (Int64 tensors; Bool masks
// become their nonzero() columns) is one op on that view, IndexBackward0:
//   out = v permuted to [indexed dims, other dims], folded to [Π indexed sizes, ...], rows picked
//         at the linear index Σ_k idx_k · stride_k (the index tensors broadcast together),
//   dL/dv = zeros(v).index_put_(indices, g, accumulate=True): the same fold, g summed into the
//         picked rows with scatter_add (exact with repeated indices; differentiable, its
//         backward is a gather, so double backward works).
#include <algorithm>
#include <memory>
#include <string>

#include "../kernels/elementwise.hpp"
#include "gradflow/autograd/node.hpp"
#include "gradflow/factories.hpp"
#include "gradflow/indexing.hpp"
#include "gradflow/ops.hpp"

namespace gf {

using autograd::Backward;
using autograd::Grads;
using indexing::TensorIndex;

namespace indexing {
TensorIndex::TensorIndex(const char* s) : kind_(Kind::Ellipsis) {
  GF_CHECK(std::string(s) == "...", "index: expected \"...\" to represent an ellipsis, got \"", s,
           "\"");
}
}  // namespace indexing

namespace {

// Where the advanced indices of a view v pick their rows.
struct Plan {
  Shape vshape;
  std::vector<int64_t> dims;  // indexed dims of v, ascending
  Shape perm;                 // indexed dims first, then the others
  Shape lead, rest;           // their sizes
  Shape bshape;               // the broadcast shape of the index tensors
  Tensor linear;              // Int64 [bshape]: Σ_k idx_k · Π_{j > k} lead_j
  int64_t at = 0;             // where the broadcast dims sit in the result
  Shape result;               // rest[:at] + bshape + rest[at:]
};

Plan make_plan(const Shape& vshape, const std::vector<Tensor>& adv) {
  Plan p;
  p.vshape = vshape;
  for (std::size_t d = 0; d < adv.size(); ++d)
    if (adv[d].defined()) {
      p.dims.push_back(static_cast<int64_t>(d));
      p.bshape =
          p.dims.size() == 1 ? adv[d].sizes() : broadcast_shapes(p.bshape, adv[d].sizes(), "index");
    }
  bool adjacent = p.dims.back() - p.dims.front() + 1 == static_cast<int64_t>(p.dims.size());
  p.at = adjacent ? p.dims.front() : 0;
  for (int64_t d : p.dims) p.perm.push_back(d), p.lead.push_back(vshape[d]);
  for (std::size_t d = 0; d < vshape.size(); ++d)
    if (!adv[d].defined()) p.perm.push_back(static_cast<int64_t>(d)), p.rest.push_back(vshape[d]);
  p.linear = zeros(p.bshape, DType::Int64);
  int64_t* lp = p.linear.data_ptr<int64_t>();
  int64_t mult = 1;
  for (std::size_t k = p.dims.size(); k-- > 0;) {
    int64_t d = p.dims[k], n = vshape[d];
    Tensor idx = expand(adv[d], p.bshape).contiguous();
    const int64_t* ip = idx.data_ptr<int64_t>();
    for (int64_t j = 0, m = p.bshape.numel(); j < m; ++j) {
      int64_t i = ip[j];
      GF_CHECK(i >= -n && i < n, "index: index ", i, " is out of bounds for dimension ", d,
               " with size ", n);
      lp[j] += (i < 0 ? i + n : i) * mult;
    }
    mult *= n;
  }
  for (int64_t i = 0; i < p.at; ++i) p.result.push_back(p.rest[i]);
  for (int64_t s : p.bshape) p.result.push_back(s);
  for (std::size_t i = p.at; i < p.rest.size(); ++i) p.result.push_back(p.rest[i]);
  return p;
}

// Moves the broadcast dims of a [bshape..., rest...] tensor to position `at`, or back (inverse).
Tensor move_broadcast_dims(const Tensor& t, const Plan& p, bool inverse) {
  if (p.at == 0) return t;
  int64_t nb = p.bshape.size();
  std::vector<int64_t> src, dst;
  for (int64_t i = 0; i < nb; ++i) src.push_back(i), dst.push_back(p.at + i);
  return inverse ? movedim(t, dst, src) : movedim(t, src, dst);
}

// v's rows at the plan's indices, as differentiable ops (permute, reshape, index_select).
Tensor gather_plan(const Tensor& v, const Plan& p) {
  Shape folded{p.lead.numel()};
  for (int64_t s : p.rest) folded.push_back(s);
  Tensor rows = index_select(reshape(permute(v, p.perm), folded), 0, flatten(p.linear));
  Shape unfolded = p.bshape;
  for (int64_t s : p.rest) unfolded.push_back(s);
  return move_broadcast_dims(reshape(rows, unfolded), p, false);
}

// zeros(v's shape) with g (the result's shape) summed into the picked rows.
Tensor scatter_add_plan(const Tensor& g, const Plan& p) {
  int64_t nb = p.bshape.numel(), c = p.rest.numel();
  Tensor g2 = reshape(move_broadcast_dims(g, p, true), {nb, c});
  Tensor at = expand(reshape(p.linear, {nb, 1}), {nb, c});
  Tensor acc = scatter_add(zeros({p.lead.numel(), c}, g.dtype()), 0, at, g2);
  Shape unfolded = p.lead;
  for (int64_t s : p.rest) unfolded.push_back(s);
  Shape inverse = Shape::filled(p.perm.size(), 0);
  for (std::size_t i = 0; i < p.perm.size(); ++i) inverse[p.perm[i]] = static_cast<int64_t>(i);
  return permute(reshape(acc, unfolded), inverse);
}

struct Applied {
  Tensor view;
  std::vector<Tensor> adv;  // one per dim of view; undefined where not indexed
  bool any() const {
    for (const Tensor& t : adv)
      if (t.defined()) return true;
    return false;
  }
};

// Applies the basic indices as views of x (recorded when x has history) and collects the
// advanced ones per dim of the resulting view.
Applied apply_indices(const Tensor& x, const std::vector<TensorIndex>& idx) {
  using Kind = TensorIndex::Kind;
  int64_t specified = 0, ellipses = 0;
  for (const TensorIndex& i : idx) {
    if (i.kind() == Kind::Integer || i.kind() == Kind::Slice) ++specified;
    if (i.kind() == Kind::Ellipsis) ++ellipses;
    if (i.kind() == Kind::Tensor) {
      const Tensor& t = i.tensor();
      GF_CHECK(t.defined(), "index: an undefined tensor cannot be used as an index");
      specified += t.dtype() == DType::Bool ? t.dim() : 1;
    }
  }
  GF_CHECK(ellipses <= 1, "index: an index can only have a single ellipsis ('...')");
  GF_CHECK(specified <= x.dim(), "index: too many indices for tensor of dimension ", x.dim(),
           " (shape ", x.sizes(), ")");
  Applied a{x, {}};
  int64_t d = 0;
  for (const TensorIndex& i : idx) {
    switch (i.kind()) {
      case Kind::Integer:
        a.view = select(a.view, d, i.integer());
        break;
      case Kind::Slice: {
        const indexing::Slice& s = i.slice();
        int64_t step = s.step.value_or(1);
        GF_CHECK(step > 0, "index: step must be greater than zero, got ", step);
        a.view = slice(a.view, d, s.start.value_or(0), s.stop.value_or(INT64_MAX), step);
        a.adv.emplace_back();
        ++d;
        break;
      }
      case Kind::None:
        a.view = unsqueeze(a.view, d);
        a.adv.emplace_back();
        ++d;
        break;
      case Kind::Ellipsis:
        for (int64_t k = 0; k < x.dim() - specified; ++k, ++d) a.adv.emplace_back();
        break;
      case Kind::Tensor: {
        const Tensor& t = i.tensor();
        if (t.dtype() == DType::Bool) {
          GF_CHECK(t.dim() > 0, "index: a 0-dim Bool index is not supported");
          for (int64_t k = 0; k < t.dim(); ++k)
            GF_CHECK(t.sizes()[k] == a.view.sizes()[d + k], "index: The shape of the mask ",
                     t.sizes(), " at index ", k, " does not match the shape of the indexed tensor ",
                     a.view.sizes(), " at index ", d + k);
          Tensor nz = nonzero(t);
          for (int64_t k = 0; k < t.dim(); ++k) a.adv.push_back(select(nz, 1, k));
          d += t.dim();
        } else {
          GF_CHECK(t.dtype() == DType::Int64 || t.dtype() == DType::Int32,
                   "index: tensors used as indices must be long, int or bool tensors, got ",
                   dtype_name(t.dtype()));
          a.adv.push_back(t.dtype() == DType::Int64 ? t : t.to(DType::Int64));
          ++d;
        }
        break;
      }
    }
  }
  while (static_cast<int64_t>(a.adv.size()) < a.view.dim()) a.adv.emplace_back();
  return a;
}

// dst (the strided view, shape `shape`) = src, or += when accumulate.
void write_strided(const Tensor& dst, const Tensor& src, bool accumulate) {
  dispatch(dst.dtype(), [&](auto tag) {
    using T = decltype(tag);
    T* d = static_cast<T*>(dst.impl().storage->data);
    const T* s = static_cast<const T*>(src.impl().storage->data);
    kernels::walk_strided<2>(
        dst.sizes(), {dst.strides(), kernels::broadcast_strides(src.impl(), dst.sizes())},
        {dst.storage_offset(), src.storage_offset()},
        [&](const std::array<int64_t, 2>& off, int64_t n, const std::array<int64_t, 2>& st) {
          for (int64_t i = 0; i < n; ++i) {
            T& x = d[off[0] + i * st[0]];
            x = accumulate ? static_cast<T>(x + s[off[1] + i * st[1]]) : s[off[1] + i * st[1]];
          }
        });
  });
}

// Writes values (broadcast to the plan's result shape) into v's picked rows, in place.
void put_plan(const Tensor& v, const Plan& p, const Tensor& values, bool accumulate) {
  int64_t nb = p.bshape.numel();
  Tensor vals = move_broadcast_dims(expand(values, p.result), p, true).contiguous();
  Shape row_shape = p.rest;
  Shape row_strides;
  for (std::size_t d = 0; d < p.vshape.size(); ++d)
    if (std::find(p.dims.begin(), p.dims.end(), static_cast<int64_t>(d)) == p.dims.end())
      row_strides.push_back(v.strides()[d]);
  const int64_t* lp = p.linear.data_ptr<int64_t>();
  int64_t row = p.rest.numel();
  for (int64_t j = 0; j < nb; ++j) {
    int64_t rem = lp[j], off = v.storage_offset();
    for (std::size_t k = p.dims.size(); k-- > 0;) {
      off += (rem % p.lead[k]) * v.strides()[p.dims[k]];
      rem /= p.lead[k];
    }
    Tensor dst = make_view(v, row_shape, row_strides, off);
    Tensor src =
        make_view(vals, row_shape, contiguous_strides(row_shape), vals.storage_offset() + j * row);
    write_strided(dst, src, accumulate);
  }
}

std::vector<TensorIndex> as_vector(std::initializer_list<TensorIndex> idx) {
  return std::vector<TensorIndex>(idx.begin(), idx.end());
}

}  // namespace

// The advanced part: v's elements at the broadcast index tensors (IndexBackward0).
Tensor index(const Tensor& x, const std::vector<TensorIndex>& indices) {
  Applied a = apply_indices(x, indices);
  if (!a.any()) return a.view;
  auto plan = std::make_shared<Plan>(make_plan(a.view.sizes(), a.adv));
  Tensor out;
  {
    NoGradGuard no_grad;
    out = gather_plan(a.view.detach(), *plan);
  }
  autograd::record(out, "IndexBackward0", {a.view},
                   [plan](const Tensor& g) -> Grads { return {scatter_add_plan(g, *plan)}; });
  return out;
}

// self[indices] = values (or += with accumulate), in place. Recorded as IndexPutBackward0:
//   dL/dself = g with the written positions zeroed (g itself when accumulating),
//   dL/dvalues = g.index(indices)   (summed back to values' shape by the engine)
Tensor& index_put_(Tensor& self, const std::vector<TensorIndex>& indices, const Tensor& values,
                   bool accumulate) {
  bool record = is_grad_enabled() && (self.requires_grad() || values.requires_grad());
  GF_CHECK(
      !(record && self.is_leaf() && self.requires_grad()),
      "index_put_: a leaf Variable that requires grad is being used in an in-place operation.");
  GF_CHECK(values.dtype() == self.dtype() || values.dim() == 0 || !record,
           "index_put_: values of dtype ", dtype_name(values.dtype()),
           " do not match the tensor's dtype ", dtype_name(self.dtype()));
  Tensor vals = values.dtype() == self.dtype() ? values.detach() : values.detach().to(self.dtype());
  Tensor keep;  // 1 where self keeps its value, 0 where it was overwritten
  {
    NoGradGuard no_grad;
    Applied a = apply_indices(self.detach(), indices);
    Shape target = a.any() ? make_plan(a.view.sizes(), a.adv).result : a.view.sizes();
    // values broadcast to target: each trailing size of values is 1 or target's (checked here,
    // so the message is torch's rather than broadcast_shapes' own)
    bool fits = vals.dim() <= static_cast<int64_t>(target.size());
    for (int64_t i = 1; fits && i <= vals.dim(); ++i) {
      int64_t v = vals.sizes()[vals.dim() - i], t = target[target.size() - i];
      fits = v == 1 || v == t;
    }
    GF_CHECK(fits, "index_put_: shape mismatch: value tensor of shape ", vals.sizes(),
             " cannot be broadcast to indexing result of shape ", target);
    if (record && !accumulate) {
      keep = ones(self.sizes(), self.dtype());
      Applied k = apply_indices(keep, indices);
      if (k.any())
        put_plan(k.view, make_plan(k.view.sizes(), k.adv), zeros({}, self.dtype()), false);
      else
        write_strided(k.view, zeros({}, self.dtype()), false);
    }
    if (a.any())
      put_plan(a.view, make_plan(a.view.sizes(), a.adv), vals, accumulate);
    else
      write_strided(a.view, vals, accumulate);
  }
  ++self.impl().storage->version;  // a backward that saved self before the write refuses it
  if (record) {
    std::vector<TensorIndex> idx = indices;
    // the edge to self's previous history is taken before self becomes the node's output
    if (accumulate)
      autograd::record(
          self, "IndexPutBackward0", {self, values}, [idx](const Backward& bw) -> Grads {
            const Tensor& g = bw.grad();
            return {bw.needs(0) ? g : Tensor(), bw.needs(1) ? index(g, idx) : Tensor()};
          });
    else
      autograd::record(
          self, "IndexPutBackward0", {self, values}, {{"keep", keep}},
          [idx](const Backward& bw, const Tensor& keep) -> Grads {
            const Tensor& g = bw.grad();
            return {bw.needs(0) ? g * keep : Tensor(), bw.needs(1) ? index(g, idx) : Tensor()};
          });
  }
  return self;
}

Tensor index_put(const Tensor& self, const std::vector<TensorIndex>& indices, const Tensor& values,
                 bool accumulate) {
  Tensor out = self.clone();
  return index_put_(out, indices, values, accumulate);
}

Tensor Tensor::index(std::initializer_list<TensorIndex> indices) const {
  return gf::index(*this, as_vector(indices));
}
Tensor& Tensor::index_put_(std::initializer_list<TensorIndex> indices, const Tensor& values,
                           bool accumulate) {
  return gf::index_put_(*this, as_vector(indices), values, accumulate);
}
Tensor& Tensor::index_put_(std::initializer_list<TensorIndex> indices, double value) {
  return gf::index_put_(*this, as_vector(indices), scalar_tensor(value, dtype()), false);
}

}  // namespace gf
