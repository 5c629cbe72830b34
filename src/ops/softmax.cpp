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

namespace {

using autograd::Node;
using autograd::SavedTensor;
using kernels::SoftmaxMode;

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

// s = softmax(x):  ds_i/dx_j = s_i (δ_ij − s_j),  i.e. J = diag(s) − s sᵀ   (seed 002)
//   dL/dx = J g = s ⊙ g − s Σ_dim(g ⊙ s) = s ⊙ (g − Σ_dim(g ⊙ s))
struct SoftmaxBackward0 : Node {
  SavedTensor result;
  int64_t dim = 0;
  std::string name() const override { return "SoftmaxBackward0"; }
  std::vector<Tensor> apply(const std::vector<Tensor>& g) override {
    Tensor s = result.unpack();
    Tensor gs = g[0] * s;
    return {gs - s * sum(gs, dim, /*keepdim=*/true)};
  }
  void release_saved() override { result.reset(); }
  std::vector<std::pair<std::string, Tensor>> saved() const override {
    return {{"result", result.defined() ? result.unpack() : Tensor()}};
  }
};

// y = log_softmax(x) = x − logsumexp(x):  dy_i/dx_j = δ_ij − softmax(x)_j
//   dL/dx = g − exp(y) Σ_dim g        (exp(y) is softmax(x))
struct LogSoftmaxBackward0 : Node {
  SavedTensor result;
  int64_t dim = 0;
  std::string name() const override { return "LogSoftmaxBackward0"; }
  std::vector<Tensor> apply(const std::vector<Tensor>& g) override {
    Tensor y = result.unpack();
    return {g[0] - exp(y) * sum(g[0], dim, /*keepdim=*/true)};
  }
  void release_saved() override { result.reset(); }
  std::vector<std::pair<std::string, Tensor>> saved() const override {
    return {{"result", result.defined() ? result.unpack() : Tensor()}};
  }
};

// l = logsumexp(x) = log Σ_dim exp(x):  dl/dx_j = exp(x_j − l) = softmax(x)_j
//   dL/dx = g ⊙ softmax(x, dim)   (g broadcast back over dim)
struct LogsumexpBackward0 : Node {
  SavedTensor self;
  int64_t dim = 0;
  bool keepdim = false;
  std::string name() const override { return "LogsumexpBackward0"; }
  std::vector<Tensor> apply(const std::vector<Tensor>& g) override {
    Tensor x = self.unpack();
    Tensor gk = keepdim || x.dim() == 0 ? g[0] : unsqueeze(g[0], dim);
    return {gk * softmax(x, dim)};
  }
  void release_saved() override { self.reset(); }
  std::vector<std::pair<std::string, Tensor>> saved() const override {
    return {{"self", self.defined() ? self.unpack() : Tensor()}};
  }
};

template <class N>
Tensor softmax_op(const Tensor& x, int64_t dim, SoftmaxMode mode, const char* op) {
  dim = wrap_dim(dim, std::max<int64_t>(x.dim(), 1), op);
  Tensor out = softmax_forward(x, dim, mode);
  if (auto node = autograd::record<N>(out, {&x})) {
    node->result = SavedTensor(out, /*is_output=*/true);
    node->dim = dim;
    node->has_saved = true;
  }
  return out;
}

}  // namespace

Tensor softmax(const Tensor& x, int64_t dim) {
  return softmax_op<SoftmaxBackward0>(x, dim, SoftmaxMode::Softmax, "softmax");
}

Tensor log_softmax(const Tensor& x, int64_t dim) {
  return softmax_op<LogSoftmaxBackward0>(x, dim, SoftmaxMode::LogSoftmax, "log_softmax");
}

Tensor logsumexp(const Tensor& x, int64_t dim, bool keepdim) {
  dim = wrap_dim(dim, std::max<int64_t>(x.dim(), 1), "logsumexp");
  Tensor out = softmax_forward(x, dim, SoftmaxMode::LogSumExp);
  if (!keepdim && x.dim() > 0) {
    Shape s = out.sizes();
    s.erase(dim);
    out = make_view(out, s, contiguous_strides(s), 0);
  }
  if (auto node = autograd::record<LogsumexpBackward0>(out, {&x})) {
    node->self = SavedTensor(x, /*is_output=*/false);
    node->dim = dim;
    node->keepdim = keepdim;
    node->has_saved = true;
  }
  return out;
}

}  // namespace gf
