// torch.nn.functional: linear and the losses. cross_entropy is one fused log-sum-exp kernel
// (kernels/cross_entropy.hpp) with one node; the other losses are small fused forwards with a
// node each. Every backward is written with differentiable ops, so create_graph (double
// backward, hessians of a loss) works; the cross-entropy backward also has a one-pass kernel
// used when no graph of the backward is being recorded (the training hot path).
#include "gradflow/nn/functional.hpp"

#include <algorithm>

#include "../kernels/cross_entropy.hpp"
#include "../kernels/elementwise.hpp"
#include "gradflow/autograd/node.hpp"
#include "gradflow/factories.hpp"

namespace gf::nn::functional {

namespace {

using autograd::needs_grad;
using autograd::Node;

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

// PyTorch records F.cross_entropy as NllLossBackward0 <- LogSoftmaxBackward0; gradflow fuses both
// into one kernel and this one node. With loss_r = logsumexp(z_r) − Σ_k t_rk z_rk:
//   dL/dz = (softmax(z) Σ_k t_k − t) · gs   ids: t = onehot(y), i.e. softmax(z) − onehot(y)
//                                           (seed 000/001: dL/dz = p − y)
//   dL/dt = −log_softmax(z) · gs            (probability targets only)
// gs is the gradient reaching each sample's loss (row_scale).
struct CrossEntropyLossBackward0 : Node {
  Tensor logits, target;  // contiguous [M, C]; target Int64 [M] or logits' dtype [M, C]
  Reduction reduction = Reduction::Mean;
  std::string name() const override { return "CrossEntropyLossBackward0"; }
  std::vector<Tensor> apply(const std::vector<Tensor>& g) override {
    int64_t m = logits.sizes()[0], c = logits.sizes()[1];
    bool probs = target.dtype() != DType::Int64;
    Tensor dz, dt;
    if (needs_grad(*this, 0) && !is_grad_enabled()) {  // one fused pass, nothing recorded
      Tensor gg = g[0].to(logits.dtype()).contiguous();
      dz = empty({m, c}, logits.dtype());
      dispatch_floating(logits.dtype(), [&](auto tag) {
        using T = decltype(tag);
        kernels::cross_entropy_backward_rows<T>(
            logits.data_ptr<T>(), probs ? nullptr : target.data_ptr<int64_t>(),
            probs ? target.data_ptr<T>() : nullptr, gg.data_ptr<T>(),
            reduction == Reduction::None ? 1 : 0,
            reduction == Reduction::Mean ? 1.0 / static_cast<double>(m) : 1.0, m, c,
            dz.data_ptr<T>());
      });
    } else if (needs_grad(*this, 0)) {  // the same formula with differentiable ops
      Tensor p = softmax(logits, 1);
      Tensor d = probs ? p * sum(target, 1, /*keepdim=*/true) - target
                       : p - onehot_rows(target, c, logits.dtype(), 1.0);
      dz = d * row_scale(g[0], reduction, m);
    }
    if (needs_grad(*this, 1)) dt = -log_softmax(logits, 1) * row_scale(g[0], reduction, m);
    return {dz, dt};
  }
  void release_saved() override { logits = target = Tensor(); }
  std::vector<std::pair<std::string, Tensor>> saved() const override {
    return {{"self", logits}, {"target", target}};
  }
};

// loss_r = −x[r, y_r]:  dL/dx = −onehot(y) · gs   (constant in x: the second derivative is 0)
struct NllLossBackward0 : Node {
  Tensor target;  // contiguous Int64 [M]
  int64_t classes = 0;
  DType dtype = DType::Float32;
  Reduction reduction = Reduction::Mean;
  std::string name() const override { return "NllLossBackward0"; }
  std::vector<Tensor> apply(const std::vector<Tensor>& g) override {
    return {onehot_rows(target, classes, dtype, -1.0) * row_scale(g[0], reduction, target.numel())};
  }
  void release_saved() override { target = Tensor(); }
};

// The gradient for an input of `like`'s shape and dtype from one of the broadcast shape.
Tensor to_input(const Tensor& grad, const Tensor& like) {
  Tensor r = sum_to(grad, like.sizes());
  return r.dtype() == like.dtype() ? r : r.to(like.dtype());
}

// l = (a − b)²:  dl/da = 2 (a − b),  dl/db = −2 (a − b)   (times gs, summed over broadcast dims)
struct MseLossBackward0 : Node {
  Tensor input, target;
  Reduction reduction = Reduction::Mean;
  int64_t count = 1;
  std::string name() const override { return "MseLossBackward0"; }
  std::vector<Tensor> apply(const std::vector<Tensor>& g) override {
    Tensor gd = (input - target) * 2.0 * element_scale(g[0], reduction, count);
    return {needs_grad(*this, 0) ? to_input(gd, input) : Tensor(),
            needs_grad(*this, 1) ? to_input(-gd, target) : Tensor()};
  }
  void release_saved() override { input = target = Tensor(); }
};

// l = max(x, 0) − x y + log(1 + e^−|x|) = −[y log σ(x) + (1 − y) log(1 − σ(x))]:
//   dl/dx = σ(x) − y,   dl/dy = −x
struct BinaryCrossEntropyWithLogitsBackward0 : Node {
  Tensor logits, target;
  Reduction reduction = Reduction::Mean;
  int64_t count = 1;
  std::string name() const override { return "BinaryCrossEntropyWithLogitsBackward0"; }
  std::vector<Tensor> apply(const std::vector<Tensor>& g) override {
    Tensor gs = element_scale(g[0], reduction, count);
    return {needs_grad(*this, 0) ? (sigmoid(logits) - target) * gs : Tensor(),
            needs_grad(*this, 1) ? -logits * gs : Tensor()};
  }
  void release_saved() override { logits = target = Tensor(); }
};

}  // namespace

Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias) {
  GF_CHECK(weight.dim() == 2, "linear: weight must be 2-D [out_features, in_features], got shape ",
           weight.sizes());
  GF_CHECK(x.dim() >= 1, "linear: input must have at least 1 dimension, got shape ", x.sizes());
  int64_t in = weight.sizes()[1], out = weight.sizes()[0];
  GF_CHECK(x.sizes().back() == in, "linear: input of shape ", x.sizes(),
           " does not match weight of shape ", weight.sizes(), " (last dim ", x.sizes().back(),
           " != in_features ", in, ")");
  GF_CHECK(!bias.defined() || (bias.dim() <= 1 && (bias.numel() == out || bias.numel() == 1)),
           "linear: bias of shape ", bias.defined() ? bias.sizes() : Shape{},
           " does not match out_features ", out);
  Tensor wt = t(weight);  // a view: GEMM reads it through a transpose flag
  if (x.dim() == 2) return bias.defined() ? addmm(bias, x, wt) : mm(x, wt);
  if (x.dim() == 1) return bias.defined() ? matmul(x, wt) + bias : matmul(x, wt);
  Shape out_shape = x.sizes();
  out_shape[out_shape.size() - 1] = out;
  Tensor x2 = reshape(x, {-1, in});  // [..., in] -> [rows, in]: one GEMM for every row
  return reshape(bias.defined() ? addmm(bias, x2, wt) : mm(x2, wt), out_shape);
}

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
  if (auto node = autograd::record<CrossEntropyLossBackward0>(out, {&x, &t})) {
    node->logits = x;
    node->target = t;
    node->reduction = reduction;
    node->has_saved = true;
  }
  return unflatten_none(out, r, reduction);
}

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
  if (auto node = autograd::record<NllLossBackward0>(out, {&x})) {
    node->target = y;
    node->classes = c;
    node->dtype = x.dtype();
    node->reduction = reduction;
    node->has_saved = true;
  }
  return unflatten_none(out, r, reduction);
}

Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction reduction) {
  GF_CHECK(is_floating(promote_types(input.dtype(), target.dtype())),
           "mse_loss: expected floating point tensors, got ", dtype_name(input.dtype()), " and ",
           dtype_name(target.dtype()));
  Tensor sq = kernels::binary(
      input, target, [](auto a, auto b) { return (a - b) * (a - b); }, "mse_loss");
  Tensor out = reduce_loss(sq, reduction);
  if (auto node = autograd::record<MseLossBackward0>(out, {&input, &target})) {
    node->input = input;
    node->target = target;
    node->reduction = reduction;
    node->count = sq.numel();
    node->has_saved = true;
  }
  return out;
}

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
  if (auto node = autograd::record<BinaryCrossEntropyWithLogitsBackward0>(out, {&logits, &y})) {
    node->logits = logits;
    node->target = y;
    node->reduction = reduction;
    node->count = losses.numel();
    node->has_saved = true;
  }
  return out;
}

Tensor one_hot(const Tensor& class_ids, int64_t num_classes) {
  GF_CHECK(class_ids.dtype() == DType::Int64,
           "one_hot: expected class ids of dtype torch.int64, "
           "got ",
           dtype_name(class_ids.dtype()));
  Tensor ids = class_ids.contiguous();
  const int64_t* p = ids.data_ptr<int64_t>();
  int64_t n = ids.numel();
  if (num_classes == -1) {
    GF_CHECK(n > 0, "one_hot: cannot infer the number of classes from an empty tensor");
    num_classes = *std::max_element(p, p + n) + 1;
  }
  GF_CHECK(num_classes >= 0, "one_hot: num_classes must be -1 or non-negative, got ", num_classes);
  for (int64_t i = 0; i < n; ++i) {
    GF_CHECK(p[i] >= 0, "one_hot: class values must be non-negative, got ", p[i]);
    GF_CHECK(p[i] < num_classes, "one_hot: class value ", p[i], " is out of range for ",
             num_classes, " classes");
  }
  Shape shape = ids.sizes();
  shape.push_back(num_classes);
  Tensor out = zeros(shape, DType::Int64);
  int64_t* o = out.data_ptr<int64_t>();
  for (int64_t i = 0; i < n; ++i) o[i * num_classes + p[i]] = 1;
  return out;
}

}  // namespace gf::nn::functional
