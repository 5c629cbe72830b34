// sort and topk along one dim, returning (values, indices). Contract, following PyTorch 1.13 on
// CPU: NaN counts as larger than every number (last when ascending, first when descending);
// sort is always stable (equal values keep their order, for both overloads; torch's CPU sort
// is stable too); topk returns the k largest (smallest) in sorted order, equal values in index
// order — torch leaves the order of ties in topk unspecified. sorted = false is accepted and
// still returns them sorted.
//   dL/dx = zeros_like(x).scatter_add(dim, indices, g)   (each index appears once per row)
#include <algorithm>
#include <numeric>
#include <tuple>

#include "../kernels/elementwise.hpp"
#include "gradflow/autograd/node.hpp"
#include "gradflow/factories.hpp"
#include "gradflow/ops.hpp"

namespace gf {

using autograd::Backward;
using autograd::Grads;

namespace {

// For each of the outer*inner rows along dim of contiguous x: the first k positions in the
// order `descending` (NaN largest), stable; written to values/indices of shape [outer, k, inner].
void sort_rows(const Tensor& x, int64_t dim, int64_t k, bool descending, Tensor& values,
               Tensor& indices) {
  Tensor c = x.contiguous();
  int64_t n = x.dim() == 0 ? 1 : x.sizes()[dim], outer = 1, inner = 1;
  for (int64_t i = 0; i < dim; ++i) outer *= x.sizes()[i];
  for (int64_t i = dim + 1; i < x.dim(); ++i) inner *= x.sizes()[i];
  dispatch(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* xp = c.data_ptr<T>();
    T* vp = values.data_ptr<T>();
    int64_t* ip = indices.data_ptr<int64_t>();
    kernels::parallel_for(
        outer * inner,
        [&](int64_t b, int64_t e) {
          std::vector<std::pair<T, int64_t>> row(n);
          for (int64_t r = b; r < e; ++r) {
            int64_t o = r / inner, i = r % inner;
            const T* src = xp + o * n * inner + i;
            for (int64_t j = 0; j < n; ++j) row[j] = {src[j * inner], j};
            // a before b: strictly better value (NaN is the largest), ties by index (stable)
            auto before = [descending](const std::pair<T, int64_t>& a,
                                       const std::pair<T, int64_t>& b) {
              bool an = a.first != a.first, bn = b.first != b.first;
              if (an || bn) {
                if (an && bn) return a.second < b.second;
                return descending ? an : bn;
              }
              if (a.first != b.first) return descending ? a.first > b.first : a.first < b.first;
              return a.second < b.second;
            };
            if (k == n)
              std::sort(row.begin(), row.end(), before);  // ties broken by index: stable
            else
              std::partial_sort(row.begin(), row.begin() + k, row.end(), before);
            for (int64_t j = 0; j < k; ++j) {
              vp[(o * k + j) * inner + i] = row[j].first;
              ip[(o * k + j) * inner + i] = row[j].second;
            }
          }
        },
        n * 8);
  });
}

// values = x at indices along dim:  dL/dx = zeros_like(x).scatter_add(dim, indices, g)
std::tuple<Tensor, Tensor> sort_impl(const Tensor& x, int64_t dim, int64_t k, bool descending,
                                     const char* name) {
  Shape shape = x.sizes();
  if (x.dim() > 0) shape[dim] = k;
  Tensor values = empty(shape, x.dtype()), indices = empty(shape, DType::Int64);
  if (values.numel() > 0) sort_rows(x, dim, k, descending, values, indices);
  Shape in_shape = x.sizes();
  std::reference_wrapper<Tensor> outs[] = {values};
  autograd::record_outputs(outs, name, {x}, {{"indices", indices}},
                           [in_shape, dim](const Backward& bw, const Tensor& idx) -> Grads {
                             const Tensor& g = bw.grad(0);
                             if (idx.dim() == 0) return {g};
                             return {scatter_add(zeros(in_shape, g.dtype()), dim, idx, g)};
                           });
  return {values, indices};
}

}  // namespace

std::tuple<Tensor, Tensor> sort(const Tensor& x, int64_t dim, bool descending) {
  dim = wrap_dim(dim, x.dim(), "sort");
  return sort_impl(x, dim, x.dim() == 0 ? 1 : x.sizes()[dim], descending, "SortBackward0");
}

std::tuple<Tensor, Tensor> sort(const Tensor& x, bool stable, int64_t dim, bool descending) {
  (void)stable;  // every sort here is stable
  return sort(x, dim, descending);
}

std::tuple<Tensor, Tensor> topk(const Tensor& x, int64_t k, int64_t dim, bool largest,
                                bool sorted) {
  (void)sorted;
  dim = wrap_dim(dim, x.dim(), "topk");
  int64_t n = x.dim() == 0 ? 1 : x.sizes()[dim];
  GF_CHECK(k >= 0 && k <= n, "topk: k (", k, ") is out of range for dimension ", dim, " of size ",
           n, " (input of shape ", x.sizes(), ")");
  return sort_impl(x, dim, k, largest, "TopkBackward0");
}

}  // namespace gf
