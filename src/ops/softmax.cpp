// The softmax family: softmax, log_softmax and logsumexp over one dim. The forward of each is one
// fused, numerically stable pass per row (kernels/softmax.hpp: subtract the row max, exp,
// normalise), so logits of ±1000 neither overflow nor give nan. Int64 input is promoted to the
// default float dtype, like PyTorch. Each backward is written with differentiable ops, so
// create_graph gives second derivatives (jacobian/hessian of softmax, seed 002).
#include "../kernels/softmax.hpp"

#include "gradflow/autograd/node.hpp"
#include "gradflow/factories.hpp"
#include "gradflow/ops.hpp"

namespace gf {

using autograd::Grads;
using kernels::SoftmaxMode;

namespace {

// Runs the fused kernel over `dim` of x (made contiguous, Int64 promoted). For LogSumExp the
// result has x's shape with size 1 at dim (the caller drops it unless keepdim).
Tensor softmax_forward(const Tensor& x, int64_t dim, SoftmaxMode mode) {
  Tensor c = is_floating(x.dtype()) ? x.contiguous() : x.to(default_dtype());
  const Shape& sz = c.sizes();
  int64_t n = c.dim() == 0 ? 1 : sz[dim];
  int64_t outer = 1, inner = 1;
  for (int64_t i = 0; i < dim; ++i) outer *= sz[i];
  for (int64_t i = dim + 1; i < c.dim(); ++i) inner *= sz[i];
  Shape out_shape = sz;
  if (mode == SoftmaxMode::LogSumExp && c.dim() > 0) out_shape[dim] = 1;
  Tensor out = empty(out_shape, c.dtype());
  if (c.numel() == 0) return out;
  dispatch_floating(c.dtype(), [&](auto tag) {
    using T = decltype(tag);
    kernels::softmax_dim<T>(c.data_ptr<T>(), out.data_ptr<T>(), outer, n, inner, mode);
  });
  return out;
}

}  // namespace

// s = softmax(x):  ds_i/dx_j = s_i (δ_ij − s_j),  i.e. J = diag(s) − s sᵀ   (seed 002)
//   dL/dx = J g = s ⊙ g − s Σ_dim(g ⊙ s) = s ⊙ (g − Σ_dim(g ⊙ s))
Tensor softmax(const Tensor& x, int64_t dim) {
  dim = wrap_dim(dim, std::max<int64_t>(x.dim(), 1), "softmax");
  Tensor out = softmax_forward(x, dim, SoftmaxMode::Softmax);
  autograd::record(out, "SoftmaxBackward0", {x}, {{"result", out}},
                   [dim](const Tensor& g, const Tensor& s) -> Grads {
                     Tensor gs = g * s;
                     return {gs - s * sum(gs, dim, /*keepdim=*/true)};
                   });
  return out;
}

// y = log_softmax(x) = x − logsumexp(x):  dy_i/dx_j = δ_ij − softmax(x)_j
//   dL/dx = g − exp(y) Σ_dim g        (exp(y) is softmax(x))
Tensor log_softmax(const Tensor& x, int64_t dim) {
  dim = wrap_dim(dim, std::max<int64_t>(x.dim(), 1), "log_softmax");
  Tensor out = softmax_forward(x, dim, SoftmaxMode::LogSoftmax);
  autograd::record(out, "LogSoftmaxBackward0", {x}, {{"result", out}},
                   [dim](const Tensor& g, const Tensor& y) -> Grads {
                     return {g - exp(y) * sum(g, dim, /*keepdim=*/true)};
                   });
  return out;
}

// l = logsumexp(x) = log Σ_dim exp(x):  dl/dx_j = exp(x_j − l) = softmax(x)_j
//   dL/dx = g ⊙ softmax(x, dim)   (g broadcast back over dim)
Tensor logsumexp(const Tensor& x, int64_t dim, bool keepdim) {
  dim = wrap_dim(dim, std::max<int64_t>(x.dim(), 1), "logsumexp");
  Tensor out = softmax_forward(x, dim, SoftmaxMode::LogSumExp);
  if (!keepdim && x.dim() > 0) {
    Shape s = out.sizes();
    s.erase(dim);
    out = make_view(out, s, contiguous_strides(s), 0);
  }
  autograd::record(out, "LogsumexpBackward0", {x}, {{"self", x}},
                   [dim, keepdim](const Tensor& g, const Tensor& x) -> Grads {
                     Tensor gk = keepdim || x.dim() == 0 ? g : unsqueeze(g, dim);
                     return {gk * softmax(x, dim)};
                   });
  return out;
}

}  // namespace gf
