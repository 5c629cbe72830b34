// The losses of torch.nn.functional (declared in gradflow/nn/functional.hpp): cross_entropy (one
// fused log-sum-exp kernel, kernels/cross_entropy.hpp), nll_loss, mse_loss and
// binary_cross_entropy_with_logits, each a small fused forward and one recorded node. Every
// backward is written with differentiable ops, so create_graph (double backward, hessians of a
// loss) works.
#include <algorithm>

#include "../kernels/cross_entropy.hpp"
#include "../kernels/elementwise.hpp"
#include "gradflow/autograd/node.hpp"
#include "gradflow/factories.hpp"
#include "gradflow/nn/functional.hpp"
#include "gradflow/ops.hpp"

namespace gf::nn::functional {

using autograd::Backward;
using autograd::Grads;

namespace {

// The gradient that reaches each sample's loss (cross_entropy, nll_loss), shaped to broadcast
// over [M, C]:  None: g[r] as [M, 1];  Sum: g;  Mean: g / M.
Tensor row_scale(const Tensor& g, Reduction reduction, int64_t m) {
  if (reduction == Reduction::None) return unsqueeze(g, 1);
  if (reduction == Reduction::Sum) return g;
  return g * (1.0 / static_cast<double>(m));
}

// The same for elementwise losses (mse, bce): None: g;  Sum: g;  Mean: g / numel.
Tensor element_scale(const Tensor& g, Reduction reduction, int64_t n) {
  return reduction == Reduction::Mean ? g * (1.0 / static_cast<double>(n)) : g;
}

// Reduces a fresh tensor of per-element losses (no history is recorded).
Tensor reduce_loss(const Tensor& losses, Reduction reduction) {
  NoGradGuard no_grad;
  if (reduction == Reduction::None) return losses;
  return reduction == Reduction::Sum ? gf::sum(losses) : gf::mean(losses);
}

// An [M, C] tensor of `dtype` with `value` at (r, y_r) and 0 elsewhere (y: contiguous Int64 [M]).
Tensor onehot_rows(const Tensor& y, int64_t c, DType dtype, double value) {
  int64_t m = y.numel();
  Tensor out = zeros({m, c}, dtype);
  const int64_t* yp = y.data_ptr<int64_t>();
  dispatch_floating(dtype, [&](auto tag) {
    using T = decltype(tag);
    T* o = out.data_ptr<T>();
    for (int64_t r = 0; r < m; ++r) o[r * c + yp[r]] = static_cast<T>(value);
  });
  return out;
}

// Logits as [M, C] rows (classes last) with targets as [M] ids or [M, C] probabilities, and the
// shape a Reduction::None result takes (input's shape without the class dim).
struct Rows {
  Tensor x, t;
  Shape none_shape;
};

Rows class_rows(const Tensor& input, const Tensor& target, bool probs, const char* op) {
  GF_CHECK(input.dim() >= 1, op, ": expected an input with a class dimension, got shape ",
           input.sizes());
  GF_CHECK(is_floating(input.dtype()), op, ": expected a floating point input, got ",
           dtype_name(input.dtype()));
  Shape ids_shape = input.sizes();
  ids_shape.erase(input.dim() == 1 ? 0 : 1);
  bool ok = probs ? target.sizes() == input.sizes() : target.sizes() == ids_shape;
  GF_CHECK(ok, op, ": target of shape ", target.sizes(), " does not match input of shape ",
           input.sizes(),
           probs ? " (probability targets have the input's shape)"
                 : " (class ids have the input's shape without the class dim)");
  Rows r;
  r.none_shape = ids_shape;
  if (input.dim() == 1) {  // unbatched: one sample
    r.x = unsqueeze(input, 0);
    r.t = probs ? unsqueeze(target, 0) : reshape(target, {1});
  } else if (input.dim() == 2) {
    r.x = input;
    r.t = target;
  } else {  // [N, C, d1, ...]: move the classes last, one row per (n, d1, ...)
    Shape perm{0};
    for (int64_t d = 2; d < input.dim(); ++d) perm.push_back(d);
    perm.push_back(1);
    int64_t c = input.sizes()[1];
    r.x = reshape(permute(input, perm), {-1, c});
    r.t = probs ? reshape(permute(target, perm), {-1, c}) : reshape(target, {-1});
  }
  return r;
}

Tensor unflatten_none(const Tensor& out, const Rows& r, Reduction reduction) {
  return reduction == Reduction::None && out.sizes() != r.none_shape ? reshape(out, r.none_shape)
                                                                     : out;
}

}  // namespace

// PyTorch records F.cross_entropy as NllLossBackward0 <- LogSoftmaxBackward0; gradflow fuses both
// into one kernel and one node. With loss_r = logsumexp(z_r) − Σ_k t_rk z_rk:
//   dL/dz = (softmax(z) Σ_k t_k − t) · gs   ids: t = onehot(y), i.e. softmax(z) − onehot(y)
//                                           (seed 000/001: dL/dz = p − y)
//   dL/dt = −log_softmax(z) · gs            (probability targets only)
// gs is the gradient reaching each sample's loss (row_scale). When no graph of the backward is
// recorded (the training hot path) dL/dz is one fused pass; otherwise the same formula is written
// with differentiable ops, so create_graph gives second derivatives.
Tensor cross_entropy(const Tensor& logits, const Tensor& target, Reduction reduction) {
  bool probs = is_floating(target.dtype());
  Rows r = class_rows(logits, target, probs, "cross_entropy");
  DType dt = logits.dtype();
  Tensor x = r.x.contiguous();
  Tensor t = (probs && r.t.dtype() != dt ? r.t.to(dt) : r.t).contiguous();
  int64_t m = x.sizes()[0], c = x.sizes()[1];
  Tensor out = reduction == Reduction::None ? empty({m}, dt) : empty({}, dt);
  dispatch_floating(dt, [&](auto tag) {
    using T = decltype(tag);
    const int64_t* y = probs ? nullptr : t.data_ptr<int64_t>();
    const T* tp = probs ? t.data_ptr<T>() : nullptr;
    if (!probs) kernels::check_class_ids(y, m, c, "cross_entropy");
    if (reduction == Reduction::None) {
      kernels::cross_entropy_forward<T>(x.data_ptr<T>(), y, tp, m, c, out.data_ptr<T>());
    } else {
      double total = kernels::cross_entropy_forward<T>(x.data_ptr<T>(), y, tp, m, c, nullptr);
      *out.data_ptr<T>() =
          static_cast<T>(reduction == Reduction::Mean ? total / static_cast<double>(m) : total);
    }
  });
  autograd::record(out, "CrossEntropyLossBackward0", {x, t}, {{"self", x}, {"target", t}},
                   [reduction](const Backward& bw, const Tensor& z, const Tensor& t) -> Grads {
                     const Tensor& g = bw.grad();
                     int64_t m = z.sizes()[0], c = z.sizes()[1];
                     bool probs = t.dtype() != DType::Int64;
                     Tensor dz, dt;
                     if (bw.needs(0) && !is_grad_enabled()) {  // one fused pass, nothing recorded
                       Tensor gg = g.to(z.dtype()).contiguous();
                       dz = empty({m, c}, z.dtype());
                       dispatch_floating(z.dtype(), [&](auto tag) {
                         using T = decltype(tag);
                         kernels::cross_entropy_backward_rows<T>(
                             z.data_ptr<T>(), probs ? nullptr : t.data_ptr<int64_t>(),
                             probs ? t.data_ptr<T>() : nullptr, gg.data_ptr<T>(),
                             reduction == Reduction::None ? 1 : 0,
                             reduction == Reduction::Mean ? 1.0 / static_cast<double>(m) : 1.0, m,
                             c, dz.data_ptr<T>());
                       });
                     } else if (bw.needs(0)) {  // the same formula with differentiable ops
                       Tensor p = softmax(z, 1);
                       Tensor d = probs ? p * sum(t, 1, /*keepdim=*/true) - t
                                        : p - onehot_rows(t, c, z.dtype(), 1.0);
                       dz = d * row_scale(g, reduction, m);
                     }
                     if (bw.needs(1)) dt = -log_softmax(z, 1) * row_scale(g, reduction, m);
                     return {dz, dt};
                   });
  return unflatten_none(out, r, reduction);
}

// loss_r = −x[r, y_r]:  dL/dx = −onehot(y) · gs   (constant in x: the second derivative is 0)
Tensor nll_loss(const Tensor& log_probs, const Tensor& target, Reduction reduction) {
  GF_CHECK(target.dtype() == DType::Int64,
           "nll_loss: expected target of dtype torch.int64 "
           "(class ids), got ",
           dtype_name(target.dtype()));
  Rows r = class_rows(log_probs, target, false, "nll_loss");
  Tensor x = r.x.contiguous();
  Tensor y = r.t.contiguous();
  int64_t m = x.sizes()[0], c = x.sizes()[1];
  const int64_t* yp = y.data_ptr<int64_t>();
  kernels::check_class_ids(yp, m, c, "nll_loss");
  Tensor losses = empty({m}, x.dtype());
  dispatch_floating(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* xp = x.data_ptr<T>();
    T* o = losses.data_ptr<T>();
    for (int64_t i = 0; i < m; ++i) o[i] = -xp[i * c + yp[i]];
  });
  Tensor out = reduce_loss(losses, reduction);
  autograd::record(out, "NllLossBackward0", {x}, {{"target", y}},
                   [c, dt = x.dtype(), reduction](const Tensor& g, const Tensor& y) -> Grads {
                     return {onehot_rows(y, c, dt, -1.0) * row_scale(g, reduction, y.numel())};
                   });
  return unflatten_none(out, r, reduction);
}

// l = (a − b)²:  dl/da = 2 (a − b),  dl/db = −2 (a − b)   (times gs)
Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction reduction) {
  GF_CHECK(is_floating(promote_types(input.dtype(), target.dtype())),
           "mse_loss: expected floating point tensors, got ", dtype_name(input.dtype()), " and ",
           dtype_name(target.dtype()));
  Tensor sq = kernels::binary(
      input, target, [](auto a, auto b) { return (a - b) * (a - b); }, "mse_loss");
  Tensor out = reduce_loss(sq, reduction);
  autograd::record(
      out, "MseLossBackward0", {input, target}, {{"self", input}, {"target", target}},
      [reduction, n = sq.numel()](const Backward& bw, const Tensor& a, const Tensor& b) -> Grads {
        Tensor gd = (a - b) * 2.0 * element_scale(bw.grad(), reduction, n);
        return {bw.needs(0) ? gd : Tensor(), bw.needs(1) ? -gd : Tensor()};
      });
  return out;
}

// l = max(x, 0) − x y + log(1 + e^−|x|) = −[y log σ(x) + (1 − y) log(1 − σ(x))]:
//   dl/dx = σ(x) − y,   dl/dy = −x
Tensor binary_cross_entropy_with_logits(const Tensor& logits, const Tensor& target,
                                        Reduction reduction) {
  const char* op = "binary_cross_entropy_with_logits";
  GF_CHECK(is_floating(logits.dtype()), op, ": expected floating point logits, got ",
           dtype_name(logits.dtype()));
  GF_CHECK(target.sizes() == logits.sizes(), op, ": target size ", target.sizes(),
           " must be the same as input size ", logits.sizes());
  Tensor y = target.dtype() == logits.dtype() ? target : target.to(logits.dtype());
  Tensor losses = kernels::binary(
      logits, y,
      [](auto x, auto t) {
        using T = decltype(x);
        return std::max(x, T(0)) - x * t + std::log1p(std::exp(-std::abs(x)));
      },
      op);
  Tensor out = reduce_loss(losses, reduction);
  autograd::record(
      out, "BinaryCrossEntropyWithLogitsBackward0", {logits, y}, {{"self", logits}, {"target", y}},
      [reduction, n = losses.numel()](const Backward& bw, const Tensor& x,
                                      const Tensor& y) -> Grads {
        Tensor gs = element_scale(bw.grad(), reduction, n);
        return {bw.needs(0) ? (sigmoid(x) - y) * gs : Tensor(), bw.needs(1) ? -x * gs : Tensor()};
      });
  return out;
}

}  // namespace gf::nn::functional
