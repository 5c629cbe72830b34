// scatter and scatter_add along one dim (torch.scatter / torch.scatter_add):
//   out = self.clone();  out[i][index[i][j]][k] = src[i][j][k]   (dim = 1; likewise any dim)
// `index` has self's number of dims and is no larger than src anywhere, nor than self outside
// dim. With repeated indices, scatter keeps the last write (torch: unspecified); scatter_add
// and the "add" reduction sum them. scatter with reduce ("add" / "multiply") has no derivative in
// PyTorch 1.13 either: backward through it throws.
#include <string>

#include "../kernels/index_walk.hpp"
#include "gradflow/autograd/node.hpp"
#include "gradflow/factories.hpp"
#include "gradflow/ops.hpp"

namespace gf {

using autograd::Backward;
using autograd::Grads;

namespace {

enum class Reduce { None, Add, Multiply };

Reduce parse_reduce(const std::string& r, const char* op) {
  if (r == "add") return Reduce::Add;
  if (r == "multiply") return Reduce::Multiply;
  detail::fail(op, ": reduce argument must be either add or multiply, got \"", r, "\"");
}

void check_scatter(const Tensor& self, int64_t dim, const Tensor& index, const Tensor* src,
                   const char* op) {
  GF_CHECK(index.dtype() == DType::Int64, op, "(): Expected dtype int64 for index, got ",
           dtype_name(index.dtype()));
  GF_CHECK(self.dim() > 0, op, ": self must have at least one dimension, got shape ", self.sizes());
  GF_CHECK(index.dim() == self.dim(), op,
           ": Index tensor must have the same number of dimensions as self tensor (index shape ",
           index.sizes(), ", self shape ", self.sizes(), ")");
  if (src) {
    GF_CHECK(src->dtype() == self.dtype(), op,
             "(): Expected self.dtype to be equal to src.dtype "
             "(got ",
             dtype_name(self.dtype()), " and ", dtype_name(src->dtype()), ")");
    GF_CHECK(src->dim() == self.dim(), op,
             ": Index tensor must have the same number of dimensions as src tensor (index shape ",
             index.sizes(), ", src shape ", src->sizes(), ")");
  }
  for (int64_t d = 0; d < self.dim(); ++d) {
    bool fits = (d == dim || index.sizes()[d] <= self.sizes()[d]) &&
                (!src || index.sizes()[d] <= src->sizes()[d]);
    GF_CHECK(fits, op, ": Expected index ", index.sizes(), " to be smaller than self ",
             self.sizes(), " apart from dimension ", dim,
             src ? " and to be smaller size than src " : "", src ? src->sizes() : Shape{});
  }
}

// out = self with src (or value) written at index along dim, combined by `reduce`.
Tensor scatter_raw(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src,
                   double value, Reduce reduce, const char* op) {
  Tensor out = self.detach().clone();
  if (index.numel() == 0) return out;
  dispatch(self.dtype(), [&](auto tag) {
    using T = decltype(tag);
    T* o = out.data_ptr<T>();
    const T* s = src.defined() ? static_cast<const T*>(src.impl().storage->data) : nullptr;
    T v = static_cast<T>(value);
    int64_t stride = out.strides()[dim];
    kernels::walk_index(out, dim, index, src, op, [&](int64_t off, int64_t idx, int64_t soff) {
      T x = s ? s[soff] : v;
      T& dst = o[off + idx * stride];
      dst = reduce == Reduce::Add ? dst + x : reduce == Reduce::Multiply ? dst * x : x;
    });
  });
  return out;
}

// PyTorch has no derivative for scatter with a reduction: the node refuses backward.
void record_not_implemented(Tensor& out, const Tensor& self, const Tensor& src) {
  auto refuse = [](const Tensor&) -> Grads {
    detail::fail(
        "scatter: the derivative for scatter with reduce is not implemented "
        "(as in PyTorch)");
  };
  if (src.defined())
    autograd::record(out, "NotImplemented", {self, src}, std::move(refuse));
  else
    autograd::record(out, "NotImplemented", {self}, std::move(refuse));
}

}  // namespace

// dL/dself = g.scatter(dim, index, 0),  dL/dsrc = g.gather(dim, index)
Tensor scatter(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src) {
  dim = wrap_dim(dim, self.dim(), "scatter");
  check_scatter(self, dim, index, &src, "scatter");
  Tensor out = scatter_raw(self, dim, index, src, 0, Reduce::None, "scatter");
  autograd::record(out, "ScatterBackward0", {self, src}, {{"index", index}},
                   [dim](const Backward& bw, const Tensor& idx) -> Grads {
                     const Tensor& g = bw.grad();
                     return {bw.needs(0) ? scatter(g, dim, idx, 0.0) : Tensor(),
                             bw.needs(1) ? gather(g, dim, idx) : Tensor()};
                   });
  return out;
}

// dL/dself = g.scatter(dim, index, 0)
Tensor scatter(const Tensor& self, int64_t dim, const Tensor& index, double value) {
  dim = wrap_dim(dim, self.dim(), "scatter");
  check_scatter(self, dim, index, nullptr, "scatter");
  Tensor out = scatter_raw(self, dim, index, Tensor(), value, Reduce::None, "scatter");
  autograd::record(
      out, "ScatterBackward1", {self}, {{"index", index}},
      [dim](const Tensor& g, const Tensor& idx) -> Grads { return {scatter(g, dim, idx, 0.0)}; });
  return out;
}

Tensor scatter(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src,
               const std::string& reduce) {
  Reduce r = parse_reduce(reduce, "scatter");
  dim = wrap_dim(dim, self.dim(), "scatter");
  check_scatter(self, dim, index, &src, "scatter");
  Tensor out = scatter_raw(self, dim, index, src, 0, r, "scatter");
  record_not_implemented(out, self, src);
  return out;
}

Tensor scatter(const Tensor& self, int64_t dim, const Tensor& index, double value,
               const std::string& reduce) {
  Reduce r = parse_reduce(reduce, "scatter");
  dim = wrap_dim(dim, self.dim(), "scatter");
  check_scatter(self, dim, index, nullptr, "scatter");
  Tensor out = scatter_raw(self, dim, index, Tensor(), value, r, "scatter");
  record_not_implemented(out, self, Tensor());
  return out;
}

// out = self + Σ src at index:  dL/dself = g,  dL/dsrc = g.gather(dim, index)
Tensor scatter_add(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src) {
  dim = wrap_dim(dim, self.dim(), "scatter_add");
  check_scatter(self, dim, index, &src, "scatter_add");
  Tensor out = scatter_raw(self, dim, index, src, 0, Reduce::Add, "scatter_add");
  autograd::record(
      out, "ScatterAddBackward0", {self, src}, {{"index", index}},
      [dim](const Backward& bw, const Tensor& idx) -> Grads {
        const Tensor& g = bw.grad();
        return {bw.needs(0) ? g : Tensor(), bw.needs(1) ? gather(g, dim, idx) : Tensor()};
      });
  return out;
}

}  // namespace gf
