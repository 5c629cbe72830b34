// median over all elements or along a dim, as torch.median (PyTorch 1.13 on CPU): the lower of
// the two middle values for an even count (sorted position (n - 1) / 2, ties in index order);
// NaN anywhere in a row makes the result NaN (along a dim, the index is that row's first NaN).
//   median(x):       dL/dx = g / c where x == median (c of them; isnan(x) when it is NaN), else 0
//                    (torch's evenly_distribute_backward; MedianBackward0)
//   median(x, dim):  dL/dx = zeros(x).scatter_add(dim, indices, g)      (MedianBackward1)
#include <algorithm>
#include <cmath>
#include <tuple>
#include <vector>

#include "../kernels/elementwise.hpp"
#include "gradflow/autograd/node.hpp"
#include "gradflow/factories.hpp"
#include "gradflow/ops.hpp"

namespace gf {

using autograd::Backward;
using autograd::Grads;

namespace {

template <class T>
bool is_nan(T v) {
  return v != v;
}

// For each row (the last dim of contiguous c, rows of length n): the median's value and index.
template <class T>
void median_rows(const T* xp, int64_t rows, int64_t n, T* vp, int64_t* ip) {
  const int64_t k = (n - 1) / 2;
  kernels::parallel_for(
      rows,
      [&](int64_t b, int64_t e) {
        std::vector<std::pair<T, int64_t>> row(n);
        for (int64_t r = b; r < e; ++r) {
          const T* src = xp + r * n;
          int64_t first_nan = -1;
          for (int64_t j = 0; j < n; ++j) {
            row[j] = {src[j], j};
            if (first_nan < 0 && is_nan(src[j])) first_nan = j;
          }
          if (first_nan >= 0) {
            vp[r] = src[first_nan];
            ip[r] = first_nan;
            continue;
          }
          // value, then index: the k-th of the stable sorted order
          std::nth_element(row.begin(), row.begin() + k, row.end());
          vp[r] = row[k].first;
          ip[r] = row[k].second;
        }
      },
      n * 8);
}

}  // namespace

Tensor median(const Tensor& x) {
  Tensor out = empty({}, x.dtype());
  if (x.numel() == 0) {
    GF_CHECK(is_floating(x.dtype()), "median: cannot compute the median of an empty ",
             dtype_name(x.dtype()), " tensor");
    out.fill_(NAN);  // torch: tensor(nan)
  } else {
    Tensor c = x.contiguous();
    int64_t index = 0;
    dispatch(x.dtype(), [&](auto tag) {
      using T = decltype(tag);
      median_rows<T>(c.data_ptr<T>(), 1, x.numel(), out.data_ptr<T>(), &index);
    });
  }
  autograd::record(out, "MedianBackward0", {x}, {{"self", x}, {"result", out}},
                   [](const Tensor& g, const Tensor& x, const Tensor& m) -> Grads {
                     Tensor mask = std::isnan(m.item()) ? isnan(x) : eq(x, m);
                     Tensor count = sum(mask);
                     return {where(mask, g / count.to(g.dtype()), scalar_tensor(0, g.dtype()))};
                   });
  return out;
}

std::tuple<Tensor, Tensor> median(const Tensor& x, int64_t dim, bool keepdim) {
  dim = wrap_dim(dim, x.dim(), "median");
  const int64_t n = x.dim() == 0 ? 1 : x.sizes()[dim];
  GF_CHECK(n > 0, "median: Expected reduction dim ", dim, " to have non-zero size (input of shape ",
           x.sizes(), ")");
  Shape kept = x.sizes();
  if (x.dim() > 0) kept[dim] = 1;
  // rows along dim: move it last, one contiguous row each
  Tensor rows = x.dim() == 0 ? reshape(x.detach(), {1}) : movedim(x.detach(), dim, -1).contiguous();
  Shape moved = rows.sizes();
  moved[moved.size() - 1] = 1;
  Tensor values = empty(moved, x.dtype()), indices = empty(moved, DType::Int64);
  dispatch(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    median_rows<T>(rows.data_ptr<T>(), rows.numel() / n, n, values.data_ptr<T>(),
                   indices.data_ptr<int64_t>());
  });
  if (x.dim() > 0) {
    values = movedim(values, -1, dim).contiguous();
    indices = movedim(indices, -1, dim).contiguous();
  } else {
    values = reshape(values, {});
    indices = reshape(indices, {});
  }
  if (!keepdim && x.dim() > 0) {
    values = squeeze(values, dim);
    indices = squeeze(indices, dim);
  }
  Shape in_shape = x.sizes();
  std::reference_wrapper<Tensor> outs[] = {values};
  autograd::record_outputs(
      outs, "MedianBackward1", {x}, {{"indices", indices}},
      [in_shape, dim, keepdim](const Backward& bw, const Tensor& idx) -> Grads {
        const Tensor& g = bw.grad(0);
        if (in_shape.empty()) return {g};
        Tensor gk = keepdim ? g : unsqueeze(g, dim);
        Tensor ik = keepdim ? idx : unsqueeze(idx, dim);
        return {scatter_add(zeros(in_shape, g.dtype()), dim, ik, gk)};
      });
  return {values, indices};
}

}  // namespace gf
