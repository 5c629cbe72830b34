// Ops driven by a Bool mask or by nonzero elements: masked_fill, masked_select, nonzero, any,
// all. Masks must be Bool (torch.bool), as in PyTorch; they broadcast against the input.
#include "../kernels/reduce_dims.hpp"
#include "gradflow/autograd/node.hpp"
#include "gradflow/factories.hpp"
#include "gradflow/indexing.hpp"
#include "gradflow/ops.hpp"

namespace gf {

using autograd::Backward;
using autograd::Grads;

namespace {

void check_mask(const Tensor& mask, const char* op) {
  GF_CHECK(mask.dtype() == DType::Bool, op,
           ": only supports boolean masks, but got mask with "
           "dtype ",
           dtype_name(mask.dtype()));
}

// masked_fill's mask: Bool, broadcastable to x's own shape.
void check_fill_mask(const Tensor& x, const Tensor& mask) {
  check_mask(mask, "masked_fill");
  GF_CHECK(broadcast_shapes(x.sizes(), mask.sizes(), "masked_fill") == x.sizes(),
           "masked_fill: the mask of shape ", mask.sizes(),
           " must be broadcastable to the input's shape ", x.sizes());
}

}  // namespace

// Coordinates of the nonzero (true, NaN included) elements, row-major: Int64 [n, x.dim()].
Tensor nonzero(const Tensor& x) {
  Tensor c = x.contiguous();
  int64_t nd = x.dim(), total = x.numel();
  std::vector<int64_t> hits;
  dispatch(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* p = c.data_ptr<T>();
    for (int64_t i = 0; i < total; ++i)
      if (p[i] != T(0)) hits.push_back(i);
  });
  Tensor out = empty({static_cast<int64_t>(hits.size()), nd}, DType::Int64);
  int64_t* o = out.data_ptr<int64_t>();
  for (std::size_t j = 0; j < hits.size(); ++j) {
    int64_t rem = hits[j];
    for (int64_t d = nd; d-- > 0;) {
      o[j * nd + d] = rem % x.sizes()[d];
      rem /= x.sizes()[d];
    }
  }
  return out;
}

// out = value where mask, x elsewhere:  dL/dx = where(mask, 0, g)
Tensor masked_fill(const Tensor& x, const Tensor& mask, double value) {
  check_fill_mask(x, mask);
  Tensor out;
  {
    NoGradGuard no_grad;
    out = where(mask, scalar_tensor(value, x.dtype()), x);
  }
  autograd::record(out, "MaskedFillBackward0", {x}, {{"mask", mask}},
                   [](const Tensor& g, const Tensor& mask) -> Grads {
                     return {where(mask, scalar_tensor(0, g.dtype()), g)};
                   });
  return out;
}

// A 0-d tensor value:  dL/dvalue = Σ g where mask
Tensor masked_fill(const Tensor& x, const Tensor& mask, const Tensor& value) {
  GF_CHECK(value.dim() == 0,
           "masked_fill: only supports a 0-dimensional value tensor, but got "
           "tensor with ",
           value.dim(), " dimension(s)");
  check_fill_mask(x, mask);
  Tensor out;
  {
    NoGradGuard no_grad;
    out = where(mask, value.to(x.dtype()), x);
  }
  autograd::record(out, "MaskedFillBackward1", {x, value}, {{"mask", mask}},
                   [](const Backward& bw, const Tensor& mask) -> Grads {
                     const Tensor& g = bw.grad();
                     Tensor zero = scalar_tensor(0, g.dtype());
                     return {bw.needs(0) ? where(mask, zero, g) : Tensor(),
                             bw.needs(1) ? sum(where(mask, g, zero)) : Tensor()};
                   });
  return out;
}

// The elements of x (broadcast with mask) where mask is true, as a 1-D tensor:
//   dL/dx = zeros.masked_scatter(mask, g), summed back to x's shape
Tensor masked_select(const Tensor& x, const Tensor& mask) {
  check_mask(mask, "masked_select");
  Shape shape = broadcast_shapes(x.sizes(), mask.sizes(), "masked_select");
  Tensor m = expand(mask, shape);
  Tensor out;
  {
    NoGradGuard no_grad;
    out = x.dim() == 0 && shape.empty() ? reshape(index(reshape(x, {1}), {reshape(m, {1})}), {-1})
                                        : index(expand(x, shape), {m});
  }
  autograd::record(out, "MaskedSelectBackward0", {x}, {{"mask", m}},
                   [shape](const Tensor& g, const Tensor& m) -> Grads {
                     if (shape.empty())
                       return {reshape(index_put(zeros({1}, g.dtype()), {reshape(m, {1})}, g), {})};
                     return {index_put(zeros(shape, g.dtype()), {m}, g)};
                   });
  return out;
}

namespace {

// any / all over dims (an empty list: all of them); NaN counts as true. UInt8 input gives UInt8,
// everything else Bool, like PyTorch.
Tensor any_all(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim, bool is_any) {
  const char* op = is_any ? "any" : "all";
  Tensor b = x.dtype() == DType::Bool ? x : ne(x, 0.0);
  std::vector<bool> mask(x.dim(), dims.empty());
  for (int64_t d : dims) {
    int64_t w = wrap_dim(d, x.dim(), op);
    if (x.dim() > 0) mask[w] = true;
  }
  Shape out_shape;
  for (std::size_t d = 0; d < mask.size(); ++d)
    if (!mask[d])
      out_shape.push_back(x.sizes()[d]);
    else if (keepdim)
      out_shape.push_back(1);
  std::vector<uint8_t> acc(out_shape.numel(), is_any ? 0 : 1);
  if (b.numel() > 0) {
    kernels::ReducePlan plan = kernels::plan_reduce(b, mask);
    const bool* base = static_cast<const bool*>(b.impl().storage->data);
    if (is_any)
      kernels::reduce_run<bool, uint8_t>(base, plan, acc.data(),
                                         [](uint8_t a, bool v) { return uint8_t(a | v); });
    else
      kernels::reduce_run<bool, uint8_t>(base, plan, acc.data(),
                                         [](uint8_t a, bool v) { return uint8_t(a & v); });
  }
  Tensor out = empty(out_shape, DType::Bool);
  bool* o = out.data_ptr<bool>();
  for (std::size_t i = 0; i < acc.size(); ++i) o[i] = acc[i] != 0;
  return x.dtype() == DType::UInt8 ? out.to(DType::UInt8) : out;
}

}  // namespace

Tensor any(const Tensor& x) { return any_all(x, {}, false, true); }
Tensor any(const Tensor& x, int64_t dim, bool keepdim) { return any_all(x, {dim}, keepdim, true); }
Tensor any(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim) {
  return any_all(x, dims, keepdim, true);
}
Tensor all(const Tensor& x) { return any_all(x, {}, false, false); }
Tensor all(const Tensor& x, int64_t dim, bool keepdim) { return any_all(x, {dim}, keepdim, false); }
Tensor all(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim) {
  return any_all(x, dims, keepdim, false);
}

}  // namespace gf
