// Elementwise math: exp, log, log1p, sqrt, abs, sign, pow, square, relu, sigmoid, tanh, clamp
// (where, maximum and minimum are in where.cpp). Each op: its forward through kernels:: (flat
// vectorizable loop on contiguous inputs), a Node whose apply() writes the derivative with
// differentiable ops (so create_graph gives second derivatives), and PyTorch's grad_fn name. Int64
// inputs to exp/log/log1p/sqrt/sigmoid/tanh promote to the default float dtype, like PyTorch.
//
// The backward of relu, sigmoid, tanh and clamp goes through small fused internal ops
// (threshold_backward, sigmoid_backward, tanh_backward, clamp_backward): one kernel instead of
// three on the training hot path, each itself differentiable.
#include <cmath>
#include <limits>

#include "../kernels/elementwise.hpp"
#include "../kernels/vmath.hpp"
#include "gradflow/autograd/node.hpp"
#include "gradflow/factories.hpp"
#include "gradflow/ops.hpp"

namespace gf {

namespace {

using autograd::needs_grad;
using autograd::Node;
using autograd::SavedTensor;

Tensor to_floating(const Tensor& x) { return is_floating(x.dtype()) ? x : x.to(default_dtype()); }

Tensor zero_like_scalar(const Tensor& g) { return scalar_tensor(0, g.dtype()); }

// The gradient for an input of `shape` from one of the broadcast output's shape.
Tensor reduce_grad(const Tensor& g, const Shape& shape) {
  return g.sizes() == shape ? g : sum_to(g, shape);
}

// A node that saves one tensor: an input, or (is_output) the op's own result.
template <const char* Name>
struct SaveOneNode : Node {
  SavedTensor t;
  bool is_output = false;
  std::string name() const override { return Name; }
  void release_saved() override { t.reset(); }
  std::vector<std::pair<std::string, Tensor>> saved() const override {
    if (!t.defined()) return {};
    return {{is_output ? "result" : "self", t.unpack()}};  // PyTorch's _saved_result / _saved_self
  }
};

// Records node N on out with input x, saving x or (save_output) out.
template <class N>
std::shared_ptr<N> record_saving(Tensor& out, const Tensor& x, bool save_output) {
  auto node = autograd::record<N>(out, {&x});
  if (node) {
    node->t = SavedTensor(save_output ? out : x, save_output);
    node->is_output = save_output;
    node->has_saved = true;
  }
  return node;
}

// ---- fused backward kernels (internal, differentiable) ----
Tensor threshold_backward(const Tensor& g, const Tensor& out);
Tensor clamp_backward(const Tensor& g, const Tensor& x, double lo, double hi);
Tensor sigmoid_backward(const Tensor& g, const Tensor& s);
Tensor tanh_backward(const Tensor& g, const Tensor& t);

// threshold_backward(g, y) = g where y > 0 else 0; linear in g, so its own backward is
// threshold_backward(gg, y), and zero w.r.t. y (piecewise constant). Like PyTorch, it stays
// connected to y, so the gradient of relu requires grad under create_graph.
struct ThresholdBackwardBackward0 : Node {
  Tensor mask_src;  // detached: no gradient flows through the mask
  std::string name() const override { return "ThresholdBackwardBackward0"; }
  std::vector<Tensor> apply(const std::vector<Tensor>& g) override {
    return {needs_grad(*this, 0) ? threshold_backward(g[0], mask_src) : Tensor(),
            needs_grad(*this, 1) ? zeros_like(mask_src) : Tensor()};
  }
};
Tensor threshold_backward(const Tensor& g, const Tensor& out) {
  Tensor r = kernels::binary(
      g, out, [](auto gv, auto y) { return y <= 0 ? decltype(gv){0} : gv; }, "relu backward");
  if (auto node = autograd::record<ThresholdBackwardBackward0>(r, {&g, &out}))
    node->mask_src = out.detach();
  return r;
}

// clamp_backward(g, x) = g where lo <= x <= hi else 0; linear in g like threshold_backward.
struct ClampBackwardBackward0 : Node {
  Tensor x;
  double lo = 0, hi = 0;
  std::string name() const override { return "ClampBackwardBackward0"; }
  std::vector<Tensor> apply(const std::vector<Tensor>& g) override {
    return {clamp_backward(g[0], x, lo, hi)};
  }
};
Tensor clamp_backward(const Tensor& g, const Tensor& x, double lo, double hi) {
  Tensor r = kernels::binary(
      g, x, [=](auto gv, auto v) { return v >= lo && v <= hi ? gv : decltype(gv){0}; },
      "clamp backward");
  if (auto node = autograd::record<ClampBackwardBackward0>(r, {&g})) {
    node->x = x.detach();
    node->lo = lo;
    node->hi = hi;
  }
  return r;
}

// sigmoid_backward(g, s) = g s (1 - s)
//   d/dg = s (1 - s)            -> sigmoid_backward(gg, s)
//   d/ds = g (1 - 2 s)          -> gg g (1 - 2 s)
struct SigmoidBackwardBackward0 : Node {
  Tensor g, s;
  std::string name() const override { return "SigmoidBackwardBackward0"; }
  std::vector<Tensor> apply(const std::vector<Tensor>& gg) override {
    return {needs_grad(*this, 0) ? sigmoid_backward(gg[0], s) : Tensor(),
            needs_grad(*this, 1) ? gg[0] * g * (1.0 - 2.0 * s) : Tensor()};
  }
  void release_saved() override { g = s = Tensor(); }
};
Tensor sigmoid_backward(const Tensor& g, const Tensor& s) {
  Tensor r = kernels::binary(
      g, s, [](auto gv, auto y) { return gv * y * (decltype(y){1} - y); }, "sigmoid backward");
  if (auto node = autograd::record<SigmoidBackwardBackward0>(r, {&g, &s})) {
    node->g = g;
    node->s = s;
    node->has_saved = true;
  }
  return r;
}

// tanh_backward(g, t) = g (1 - t²)
//   d/dg = 1 - t²               -> tanh_backward(gg, t)
//   d/dt = -2 g t               -> -2 gg g t
struct TanhBackwardBackward0 : Node {
  Tensor g, t;
  std::string name() const override { return "TanhBackwardBackward0"; }
  std::vector<Tensor> apply(const std::vector<Tensor>& gg) override {
    return {needs_grad(*this, 0) ? tanh_backward(gg[0], t) : Tensor(),
            needs_grad(*this, 1) ? gg[0] * g * t * -2.0 : Tensor()};
  }
  void release_saved() override { g = t = Tensor(); }
};
Tensor tanh_backward(const Tensor& g, const Tensor& t) {
  Tensor r = kernels::binary(
      g, t, [](auto gv, auto y) { return gv * (decltype(y){1} - y * y); }, "tanh backward");
  if (auto node = autograd::record<TanhBackwardBackward0>(r, {&g, &t})) {
    node->g = g;
    node->t = t;
    node->has_saved = true;
  }
  return r;
}

// ---- the ops' backward nodes ----
constexpr char kExp[] = "ExpBackward0", kLog[] = "LogBackward0", kLog1p[] = "Log1PBackward0",
               kSqrt[] = "SqrtBackward0", kAbs[] = "AbsBackward0", kRelu[] = "ReluBackward0",
               kSigmoid[] = "SigmoidBackward0", kTanh[] = "TanhBackward0";

// d exp(x)/dx = exp(x)              (saves the output)
struct ExpBackward0 : SaveOneNode<kExp> {
  std::vector<Tensor> apply(const std::vector<Tensor>& g) override { return {g[0] * t.unpack()}; }
};
// d log(x)/dx = 1/x
struct LogBackward0 : SaveOneNode<kLog> {
  std::vector<Tensor> apply(const std::vector<Tensor>& g) override { return {g[0] / t.unpack()}; }
};
// d log(1+x)/dx = 1/(1+x)
struct Log1PBackward0 : SaveOneNode<kLog1p> {
  std::vector<Tensor> apply(const std::vector<Tensor>& g) override {
    return {g[0] / (t.unpack() + 1.0)};
  }
};
// d sqrt(x)/dx = 1/(2 sqrt(x))      (saves the output)
struct SqrtBackward0 : SaveOneNode<kSqrt> {
  std::vector<Tensor> apply(const std::vector<Tensor>& g) override {
    return {g[0] / (t.unpack() * 2.0)};
  }
};
// d |x|/dx = sign(x)                (0 at x = 0, like PyTorch)
struct AbsBackward0 : SaveOneNode<kAbs> {
  std::vector<Tensor> apply(const std::vector<Tensor>& g) override {
    return {g[0] * sign(t.unpack())};
  }
};
// d sign(x)/dx = 0
struct SignBackward0 : Node {
  std::string name() const override { return "SignBackward0"; }
  std::vector<Tensor> apply(const std::vector<Tensor>& g) override { return {zeros_like(g[0])}; }
};
// d relu(x)/dx = 1 where relu(x) > 0, else 0 (also at x = 0)   (saves the output)
struct ReluBackward0 : SaveOneNode<kRelu> {
  std::vector<Tensor> apply(const std::vector<Tensor>& g) override {
    return {threshold_backward(g[0], t.unpack())};
  }
};
// d σ(x)/dx = σ(x) (1 - σ(x))      (seed 002; saves the output)
struct SigmoidBackward0 : SaveOneNode<kSigmoid> {
  std::vector<Tensor> apply(const std::vector<Tensor>& g) override {
    return {sigmoid_backward(g[0], t.unpack())};
  }
};
// d tanh(x)/dx = 1 - tanh(x)²       (saves the output)
struct TanhBackward0 : SaveOneNode<kTanh> {
  std::vector<Tensor> apply(const std::vector<Tensor>& g) override {
    return {tanh_backward(g[0], t.unpack())};
  }
};

// d x^p/dx = p x^(p-1)   (p a number; 0 when p = 0)
struct PowBackward0 : Node {
  SavedTensor x;
  double p = 1;
  std::string name() const override { return "PowBackward0"; }
  std::vector<Tensor> apply(const std::vector<Tensor>& g) override {
    Tensor self = x.unpack();
    if (p == 0) return {zeros_like(self)};
    return {g[0] * (pow(self, p - 1) * p)};
  }
  void release_saved() override { x.reset(); }
};

// d x^p/dx = p x^(p-1)   (0 where p = 0)
// d x^p/dp = x^p log x   (0 where x = 0 and p >= 0, like PyTorch)
struct PowBackward1 : Node {
  SavedTensor x, p, result;
  std::string name() const override { return "PowBackward1"; }
  std::vector<Tensor> apply(const std::vector<Tensor>& g) override {
    Tensor self = x.unpack(), e = p.unpack();
    Tensor gx, gp;
    if (needs_grad(*this, 0)) {
      Tensor zero = zero_like_scalar(g[0]);
      gx = reduce_grad(where(eq(e, zero), zero, g[0] * (e * pow(self, e - 1.0))), self.sizes());
    }
    if (needs_grad(*this, 1)) {
      Tensor zero = zero_like_scalar(g[0]);
      Tensor at_zero = eq(self, zero) * ge(e, zero);
      gp = reduce_grad(where(at_zero, zero, g[0] * (result.unpack() * log(self))), e.sizes());
    }
    return {gx, gp};
  }
  void release_saved() override { x.reset(), p.reset(), result.reset(); }
};

// d clamp(x, lo, hi)/dx = 1 where lo <= x <= hi, else 0
struct ClampBackward1 : Node {
  SavedTensor x;
  double lo = 0, hi = 0;
  std::string name() const override { return "ClampBackward1"; }
  std::vector<Tensor> apply(const std::vector<Tensor>& g) override {
    return {clamp_backward(g[0], x.unpack(), lo, hi)};
  }
  void release_saved() override { x.reset(); }
};

Tensor pow_forward(const Tensor& x, double p) {
  if (p == 1) return kernels::unary(x, [](auto v) { return v; });
  if (p == 2) return kernels::unary(x, [](auto v) { return v * v; });
  if (p == 3) return kernels::unary(x, [](auto v) { return v * v * v; });
  if (p == 0.5) return kernels::unary(x, [](auto v) { return std::sqrt(v); });
  if (p == -1) return kernels::unary(x, [](auto v) { return decltype(v){1} / v; });
  return kernels::unary(x, [=](auto v) { return std::pow(v, static_cast<decltype(v)>(p)); });
}

}  // namespace

Tensor exp(const Tensor& x0) {
  Tensor x = to_floating(x0);
  Tensor out = kernels::vector_unary(x, kernels::VectorFn::Exp);
  record_saving<ExpBackward0>(out, x, true);
  return out;
}

Tensor log(const Tensor& x0) {
  Tensor x = to_floating(x0);
  Tensor out = kernels::vector_unary(x, kernels::VectorFn::Log);
  record_saving<LogBackward0>(out, x, false);
  return out;
}

Tensor log1p(const Tensor& x0) {
  Tensor x = to_floating(x0);
  Tensor out = kernels::vector_unary(x, kernels::VectorFn::Log1p);
  record_saving<Log1PBackward0>(out, x, false);
  return out;
}

Tensor sqrt(const Tensor& x0) {
  Tensor x = to_floating(x0);
  Tensor out = kernels::unary(x, [](auto v) { return std::sqrt(v); });
  record_saving<SqrtBackward0>(out, x, true);
  return out;
}

Tensor abs(const Tensor& x) {
  Tensor out = kernels::unary(x, [](auto v) { return v < 0 ? -v : v; });
  record_saving<AbsBackward0>(out, x, false);
  return out;
}

Tensor sign(const Tensor& x) {
  Tensor out = kernels::unary(x, [](auto v) { return (v > 0) - (v < 0); });
  autograd::record<SignBackward0>(out, {&x});
  return out;
}

Tensor pow(const Tensor& x0, double p) {
  Tensor x = to_floating(x0);  // a float exponent promotes integers, like PyTorch
  Tensor out = pow_forward(x, p);
  if (auto node = autograd::record<PowBackward0>(out, {&x})) {
    node->x = SavedTensor(x, false);
    node->p = p;
    node->has_saved = true;
  }
  return out;
}

Tensor pow(const Tensor& x0, const Tensor& p0) {
  DType dt = promote_types(x0.dtype(), p0.dtype());
  Tensor x = x0.dtype() == dt ? x0 : x0.to(dt);
  Tensor p = p0.dtype() == dt ? p0 : p0.to(dt);
  Tensor out = kernels::binary(
      x, p, [](auto a, auto b) { return static_cast<decltype(a)>(std::pow(a, b)); }, "pow");
  if (auto node = autograd::record<PowBackward1>(out, {&x, &p})) {
    node->x = SavedTensor(x, false);
    node->p = SavedTensor(p, false);
    node->result = SavedTensor(out, true);
    node->has_saved = true;
  }
  return out;
}

// PyTorch records PowBackward0 too; integers stay integers (square of Int64 is Int64).
Tensor square(const Tensor& x) {
  if (x.dtype() == DType::Int64) return kernels::unary(x, [](auto v) { return v * v; });
  return pow(x, 2.0);
}

Tensor relu(const Tensor& x) {
  // v < 0 ? 0 : v keeps NaN, like PyTorch
  Tensor out = kernels::unary(x, [](auto v) { return v < 0 ? decltype(v){0} : v; });
  record_saving<ReluBackward0>(out, x, true);
  return out;
}

Tensor sigmoid(const Tensor& x0) {
  Tensor x = to_floating(x0);
  // 1 / (1 + exp(-x)), PyTorch's formula (exp(-x) = inf gives 0, never NaN)
  Tensor out = kernels::vector_unary(x, kernels::VectorFn::Sigmoid);
  record_saving<SigmoidBackward0>(out, x, true);
  return out;
}

Tensor tanh(const Tensor& x0) {
  Tensor x = to_floating(x0);
  Tensor out = kernels::vector_unary(x, kernels::VectorFn::Tanh);
  record_saving<TanhBackward0>(out, x, true);
  return out;
}

Tensor clamp(const Tensor& x0, double lo, double hi) {
  GF_CHECK(!std::isnan(lo) && !std::isnan(hi), "clamp: bounds must not be NaN, got min=", lo,
           " max=", hi);
  auto integral = [](double v) { return std::isinf(v) || v == std::floor(v); };
  Tensor x =
      x0.dtype() == DType::Int64 && !(integral(lo) && integral(hi)) ? x0.to(default_dtype()) : x0;
  // min(max(x, lo), hi): NaN stays NaN; lo > hi gives hi everywhere, like PyTorch
  Tensor out = kernels::unary(x, [=](auto v) {
    using T = decltype(v);
    double d = static_cast<double>(v);
    if (d > hi || lo > hi) return static_cast<T>(hi);
    if (d < lo) return static_cast<T>(lo);
    return v;  // also NaN
  });
  if (auto node = autograd::record<ClampBackward1>(out, {&x})) {
    node->x = SavedTensor(x, false);
    node->lo = lo;
    node->hi = hi;
    node->has_saved = true;
  }
  return out;
}

}  // namespace gf
