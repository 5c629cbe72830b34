// Scans along one dim: cumsum and cumprod. The forward is one pass over a contiguous
// [outer, n, inner] view, accumulating in double for float types (PyTorch's CPU accumulate type)
// and in int64 for integers (whose result is Int64, as in PyTorch). NaN and inf propagate along
// the scan as plain IEEE arithmetic does.
#include "../kernels/elementwise.hpp"
#include "gradflow/autograd/node.hpp"
#include "gradflow/factories.hpp"
#include "gradflow/ops.hpp"

namespace gf {

using autograd::Grads;

namespace {

template <bool IsSum>
Tensor scan_raw(const Tensor& x, int64_t dim) {
  Tensor c = x.contiguous();
  DType out_dtype = is_floating(x.dtype()) ? x.dtype() : DType::Int64;
  Tensor out = empty(x.sizes(), out_dtype);
  if (x.numel() == 0) return out;
  int64_t n = x.dim() == 0 ? 1 : x.sizes()[dim], outer = 1, inner = 1;
  for (int64_t i = 0; i < dim; ++i) outer *= x.sizes()[i];
  for (int64_t i = dim + 1; i < x.dim(); ++i) inner *= x.sizes()[i];
  dispatch(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    using Acc = std::conditional_t<std::is_floating_point_v<T>, double, int64_t>;
    dispatch(out_dtype, [&](auto otag) {
      using O = decltype(otag);
      const T* xp = c.data_ptr<T>();
      O* op = out.data_ptr<O>();
      kernels::parallel_for(
          outer,
          [&](int64_t b, int64_t e) {
            std::vector<Acc> acc(inner);
            for (int64_t o = b; o < e; ++o) {
              if (inner == 1) {  // along the last dim: one running value per row
                Acc a = Acc(IsSum ? 0 : 1);
                const T* row = xp + o * n;
                O* orow = op + o * n;
                for (int64_t k = 0; k < n; ++k) {
                  if constexpr (IsSum)
                    a += static_cast<Acc>(row[k]);
                  else
                    a *= static_cast<Acc>(row[k]);
                  orow[k] = static_cast<O>(a);
                }
                continue;
              }
              std::fill(acc.begin(), acc.end(), Acc(IsSum ? 0 : 1));
              const T* row = xp + o * n * inner;
              O* orow = op + o * n * inner;
              for (int64_t k = 0; k < n; ++k)
                for (int64_t i = 0; i < inner; ++i) {
                  if constexpr (IsSum)
                    acc[i] += static_cast<Acc>(row[k * inner + i]);
                  else
                    acc[i] *= static_cast<Acc>(row[k * inner + i]);
                  orow[k * inner + i] = static_cast<O>(acc[i]);
                }
            }
          },
          n * inner);
    });
  });
  return out;
}

// Σ_{j >= i} g_j along dim: the adjoint of cumsum
Tensor reverse_cumsum(const Tensor& g, int64_t dim) {
  return flip(cumsum(flip(g, {dim}), dim), {dim});
}

}  // namespace

// y_j = Σ_{i <= j} x_i:  dL/dx_i = Σ_{j >= i} g_j
Tensor cumsum(const Tensor& x, int64_t dim) {
  dim = wrap_dim(dim, x.dim(), "cumsum");
  Tensor out = scan_raw<true>(x, dim);
  if (x.dim() == 0) dim = 0;
  autograd::record(out, "CumsumBackward0", {x}, [dim](const Tensor& g) -> Grads {
    return {g.dim() == 0 ? g : reverse_cumsum(g, dim)};
  });
  return out;
}

// y_j = Π_{i <= j} x_i:  dL/dx_i = Σ_{j >= i} g_j Π_{k <= j, k != i} x_k
//   = reverse_cumsum(g y)_i / x_i when no x is 0; with zeros, the product without x_i is
//   computed exactly: cumprod of x with x_i replaced by 1, for each i (n scans; exact and
//   differentiable, used only when a zero is present).
Tensor cumprod(const Tensor& x, int64_t dim) {
  dim = wrap_dim(dim, x.dim(), "cumprod");
  Tensor out = scan_raw<false>(x, dim);
  autograd::record(out, "CumprodBackward0", {x}, {{"self", x}, {"result", out}},
                   [dim](const Tensor& g, const Tensor& x, const Tensor& y) -> Grads {
                     if (x.dim() == 0) return {g};
                     bool zero;
                     {
                       NoGradGuard no_grad;
                       zero = sum(eq(x, 0.0)).item() > 0;
                     }
                     if (!zero) return {reverse_cumsum(g * y, dim) / x};
                     int64_t n = x.sizes()[dim];
                     std::vector<Tensor> parts;
                     for (int64_t i = 0; i < n; ++i) {
                       Shape s = Shape::filled(x.dim(), 1);
                       s[dim] = n;
                       std::vector<double> e(n, 0.0);
                       e[i] = 1;
                       Tensor onehot = tensor(e, s, x.dtype());
                       Tensor without_i = x * (1.0 - onehot) + onehot;
                       Tensor c = g * cumprod(without_i, dim);
                       parts.push_back(sum(narrow(c, dim, i, n - i), dim, true));
                     }
                     return {cat(parts, dim)};
                   });
  return out;
}

}  // namespace gf
