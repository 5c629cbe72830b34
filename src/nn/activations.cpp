// The activations of torch.nn.functional (declared in nn/functional.hpp): each is one block with
// its derivative, forward kernel (a flat loop over contiguous data, threaded above the
// elementwise threshold), torch's grad_fn name and the saved input; the backward is written with
// differentiable ops, so double backward works.
#include <cmath>
#include <numbers>

#include "../kernels/elementwise.hpp"
#include "../kernels/vmath.hpp"
#include "gradflow/autograd/node.hpp"
#include "gradflow/factories.hpp"
#include "gradflow/nn/functional.hpp"

namespace gf::nn::functional {

using autograd::Backward;
using autograd::Grads;
using kernels::to_floating;
using kernels::unary_floating;

namespace {

Tensor zero_of(const Tensor& g) { return scalar_tensor(0, g.dtype()); }

// inplace = true: the result is written into x (which must not need a gradient: in-place ops are
// not recorded by autograd) and x is returned.
Tensor finish(const Tensor& x, const Tensor& out, bool inplace, const char* op) {
  if (!inplace) return out;
  GF_CHECK(!(is_grad_enabled() && x.requires_grad()), op,
           ": inplace=true on a tensor that requires grad is not supported (in-place ops are not "
           "recorded by autograd); use inplace=false");
  GF_CHECK(x.dtype() == out.dtype(), op, ": inplace=true needs a floating input, got ",
           dtype_name(x.dtype()));
  Tensor target = x;
  target.copy_(out);
  return target;
}

// scale (x > 0 ? x : alpha (e^(x input_scale) - 1)): elu, selu and celu.
//   d/dx = scale where x > 0, else scale alpha input_scale e^(x input_scale)
Tensor elu_impl(const Tensor& x0, double alpha, double scale, double input_scale, bool inplace,
                const char* name, const char* op) {
  Tensor x = to_floating(x0);
  Tensor out = unary_floating(x, [=](auto v) {
    using T = decltype(v);
    return v > T{0} ? v * static_cast<T>(scale)
                    : std::expm1(v * static_cast<T>(input_scale)) * static_cast<T>(alpha * scale);
  });
  autograd::record(out, name, {x}, {{"self", x}}, [=](const Tensor& g, const Tensor& x) -> Grads {
    return {where(gt(x, 0.0), g * scale, g * exp(x * input_scale) * (alpha * scale * input_scale))};
  });
  return finish(x0, out, inplace, op);
}

// min(max(x + 3, 0), 6), the shared part of hardsigmoid and hardswish (NaN stays NaN)
template <class T>
T relu6_of_shifted(T v) {
  T r = v + T{3};
  return r < T{0} ? T{0} : r > T{6} ? T{6} : r;
}

constexpr double kSeluAlpha = 1.6732632423543772848170429916717;
constexpr double kSeluScale = 1.0507009873554804934193349852946;

}  // namespace

// d/dx = 1 where x > 0, else negative_slope (also at 0)
Tensor leaky_relu(const Tensor& x0, const LeakyReLUFuncOptions& o) {
  Tensor x = to_floating(x0);
  const double s = o.negative_slope();
  // v times a selected factor: branch-free (random signs would mispredict a branch), NaN stays NaN
  Tensor out = unary_floating(x, [s](auto v) {
    using T = decltype(v);
    return v * (v > T{0} ? T{1} : static_cast<T>(s));
  });
  autograd::record(
      out, "LeakyReluBackward0", {x}, {{"self", x}},
      [s](const Tensor& g, const Tensor& x) -> Grads { return {where(gt(x, 0.0), g, g * s)}; });
  return finish(x0, out, o.inplace(), "leaky_relu");
}

Tensor elu(const Tensor& x, const ELUFuncOptions& o) {
  return elu_impl(x, o.alpha(), 1.0, 1.0, o.inplace(), "EluBackward0", "elu");
}

Tensor selu(const Tensor& x, bool inplace) {
  return elu_impl(x, kSeluAlpha, kSeluScale, 1.0, inplace, "EluBackward0", "selu");
}

Tensor celu(const Tensor& x, const CELUFuncOptions& o) {
  GF_CHECK(o.alpha() != 0, "celu: ZeroDivisionError (alpha must not be 0)");
  return elu_impl(x, o.alpha(), 1.0, 1.0 / o.alpha(), o.inplace(), "CeluBackward0", "celu");
}

// "none":  gelu(x) = x Φ(x),  d/dx = Φ(x) + x φ(x)
// "tanh":  gelu(x) = x (1 + t) / 2 with t = tanh(k (x + c x³)), k = √(2/π), c = 0.044715,
//          d/dx = (1 + t) / 2 + x (1 - t²) k (1 + 3 c x²) / 2
Tensor gelu(const Tensor& x0, const GELUFuncOptions& o) {
  const std::string& mode = o.approximate();
  GF_CHECK(mode == "none" || mode == "tanh", "gelu: approximate must be 'none' or 'tanh', got '",
           mode, "'");
  Tensor x = to_floating(x0);
  constexpr double kBeta = std::numbers::sqrt2 * std::numbers::inv_sqrtpi;  // √(2/π)
  constexpr double kKappa = 0.044715;
  if (mode == "tanh") {
    Tensor out = unary_floating(x, [](auto v) {
      using T = decltype(v);
      T inner = static_cast<T>(kBeta) * (v + static_cast<T>(kKappa) * v * v * v);
      return static_cast<T>(0.5) * v * (T{1} + std::tanh(inner));
    });
    autograd::record(
        out, "GeluBackward0", {x}, {{"self", x}}, [](const Tensor& g, const Tensor& x) -> Grads {
          Tensor x2 = x * x;
          Tensor t = tanh((x + x2 * x * kKappa) * kBeta);
          Tensor d =
              (t + 1.0) * 0.5 + x * (1.0 - t * t) * (x2 * (3.0 * kKappa) + 1.0) * (0.5 * kBeta);
          return {g * d};
        });
    return out;
  }
  // x (1 + erf(x/√2)) / 2, erf through SLEEF's vector kernel (libm's erf per element is ~15x slower)
  Tensor out = kernels::vector_unary(
      unary_floating(x, [](auto v) { return v * static_cast<decltype(v)>(std::numbers::sqrt2 / 2); }),
      kernels::VectorFn::Erf);
  out = kernels::binary(
      x, out, [](auto v, auto e) { return v * static_cast<decltype(v)>(0.5) * (decltype(v){1} + e); },
      "gelu");
  autograd::record(out, "GeluBackward0", {x}, {{"self", x}},
                   [](const Tensor& g, const Tensor& x) -> Grads {
                     Tensor cdf = (erf(x * (std::numbers::sqrt2 / 2)) + 1.0) * 0.5;
                     Tensor pdf = exp(x * x * -0.5) * (kBeta / 2);  // 1/√(2π) e^(-x²/2)
                     return {g * (cdf + x * pdf)};
                   });
  return out;
}

// silu(x) = x σ(x),  d/dx = σ(x) (1 + x (1 - σ(x)))
Tensor silu(const Tensor& x0) {
  Tensor x = to_floating(x0);
  Tensor out = unary_floating(x, [](auto v) {
    using T = decltype(v);
    return v / (T{1} + std::exp(-v));
  });
  autograd::record(out, "SiluBackward0", {x}, {{"self", x}},
                   [](const Tensor& g, const Tensor& x) -> Grads {
                     Tensor s = sigmoid(x);
                     return {g * s * (x * (1.0 - s) + 1.0)};
                   });
  return out;
}

// mish(x) = x tanh(softplus(x)),  d/dx = t + x σ(x) (1 - t²) with t = tanh(softplus(x))
Tensor mish(const Tensor& x0) {
  Tensor x = to_floating(x0);
  Tensor out = unary_floating(x, [](auto v) { return v * std::tanh(std::log1p(std::exp(v))); });
  autograd::record(out, "MishBackward0", {x}, {{"self", x}},
                   [](const Tensor& g, const Tensor& x) -> Grads {
                     Tensor t = tanh(gf::softplus(x));
                     return {g * (t + x * sigmoid(x) * (1.0 - t * t))};
                   });
  return out;
}

// gf::softplus (src/ops/unary.cpp) with libtorch's options
Tensor softplus(const Tensor& x, const SoftplusFuncOptions& o) {
  return gf::softplus(x, o.beta(), o.threshold());
}

// x / (1 + |x|), composed from differentiable ops exactly as torch's F.softsign
Tensor softsign(const Tensor& x0) {
  Tensor x = to_floating(x0);
  return x / (abs(x) + 1.0);
}

// d/dx = 1 strictly inside (min_val, max_val), else 0
Tensor hardtanh(const Tensor& x0, const HardtanhFuncOptions& o) {
  const double lo = o.min_val(), hi = o.max_val();
  GF_CHECK(hi >= lo, "hardtanh: max_val (", hi, ") cannot be less than min_val (", lo, ")");
  Tensor x = to_floating(x0);
  Tensor out = unary_floating(x, [=](auto v) {
    using T = decltype(v);
    return v < static_cast<T>(lo)   ? static_cast<T>(lo)
           : v > static_cast<T>(hi) ? static_cast<T>(hi)
                                    : v;
  });
  autograd::record(out, "HardtanhBackward0", {x}, {{"self", x}},
                   [=](const Tensor& g, const Tensor& x) -> Grads {
                     return {where(logical_and(gt(x, lo), lt(x, hi)), g, zero_of(g))};
                   });
  return finish(x0, out, o.inplace(), "hardtanh");
}

Tensor relu6(const Tensor& x, bool inplace) {
  return hardtanh(x, HardtanhFuncOptions().min_val(0).max_val(6).inplace(inplace));
}

// hardsigmoid(x) = min(max(x + 3, 0), 6) / 6,  d/dx = 1/6 strictly inside (-3, 3), else 0
// (torch multiplies by 1.0f / 6 computed in float, also for float64: so do we)
Tensor hardsigmoid(const Tensor& x0) {
  Tensor x = to_floating(x0);
  Tensor out = unary_floating(x, [](auto v) { return relu6_of_shifted(v) / decltype(v){6}; });
  autograd::record(out, "HardsigmoidBackward0", {x}, {{"self", x}},
                   [](const Tensor& g, const Tensor& x) -> Grads {
                     constexpr double kSixth = 1.0f / 6.0f;
                     return {where(logical_and(gt(x, -3.0), lt(x, 3.0)), g * kSixth, zero_of(g))};
                   });
  return out;
}

// hardswish(x) = x min(max(x + 3, 0), 6) / 6,
//   d/dx = 0 below -3, x/3 + 1/2 on [-3, 3], 1 above 3 (torch's hardswish_backward)
Tensor hardswish(const Tensor& x0) {
  Tensor x = to_floating(x0);
  Tensor out =
      unary_floating(x, [](auto v) { return v * relu6_of_shifted(v) / decltype(v){6}; });
  autograd::record(
      out, "HardswishBackward0", {x}, {{"self", x}}, [](const Tensor& g, const Tensor& x) -> Grads {
        return {where(lt(x, -3.0), zero_of(g), where(le(x, 3.0), g * (x / 3.0 + 0.5), g))};
      });
  return out;
}

// log σ(x) = min(x, 0) - log1p(e^-|x|),  d/dx = 1 - σ(x) = σ(-x)
Tensor logsigmoid(const Tensor& x0) {
  Tensor x = to_floating(x0);
  Tensor out = unary_floating(x, [](auto v) {
    using T = decltype(v);
    return (v < T{0} ? v : T{0}) - std::log1p(std::exp(-std::fabs(v)));
  });
  autograd::record(out, "LogSigmoidBackward0", {x}, {{"self", x}},
                   [](const Tensor& g, const Tensor& x) -> Grads { return {g * sigmoid(-x)}; });
  return out;
}

// prelu(x, w) = x > 0 ? x : w x, w one value or one per channel (dim 1):
//   d/dx = 1 where x > 0, else w;  d/dw = sum over all but the channel dim of (x > 0 ? 0 : x) g
Tensor prelu(const Tensor& x0, const Tensor& weight) {
  Tensor x = to_floating(x0);
  GF_CHECK(weight.defined() && weight.dim() <= 1, "prelu: weight must be 1-D, got shape ",
           weight.defined() ? weight.sizes() : Shape{});
  const int64_t channels = x.dim() >= 2 ? x.size(1) : 1;
  GF_CHECK(
      weight.numel() == 1 || weight.numel() == channels,
      "prelu: mismatch of parameter numbers and input channel size. Found parameter numbers = ",
      weight.numel(), " and channel size = ", channels, " (input shape ", x.sizes(), ")");
  // weight as [1, C, 1, ...] against x (or as a 0-d / [1] value)
  Shape ws = Shape::filled(std::max<int64_t>(x.dim(), 1), 1);
  if (weight.numel() > 1) ws[1] = channels;
  Tensor w = reshape(weight, ws);
  Tensor out = kernels::binary(
      x, w, [](auto v, auto a) { return v > decltype(v){0} ? v : a * v; }, "prelu");
  Shape weight_shape = weight.sizes();
  autograd::record(
      out, "PreluBackward0", {x, weight}, {{"self", x}, {"weight", w}},
      [ws, weight_shape](const Backward& bw, const Tensor& x, const Tensor& w) -> Grads {
        const Tensor& g = bw.grad();
        Tensor positive = gt(x, 0.0);
        Tensor gx, gw;
        if (bw.needs(0)) gx = where(positive, g, g * w);
        if (bw.needs(1)) gw = reshape(sum_to(where(positive, zero_of(g), g * x), ws), weight_shape);
        return {gx, gw};
      });
  return out;
}

// glu(x) = a σ(b) for x = [a, b] split in halves along dim:
//   d/da = σ(b),  d/db = a σ(b) (1 - σ(b))
Tensor glu(const Tensor& x0, const GLUFuncOptions& o) {
  Tensor x = to_floating(x0);
  GF_CHECK(x.dim() > 0, "glu: glu does not support scalars because halving size must be even");
  const int64_t dim = wrap_dim(o.dim(), x.dim(), "glu");
  const int64_t n = x.size(dim);
  GF_CHECK(n % 2 == 0, "glu: Halving dimension must be even, but dimension ", dim, " is size ", n);
  const int64_t h = n / 2;
  Tensor out;
  {
    NoGradGuard no_grad;
    out = slice(x, dim, 0, h) * sigmoid(slice(x, dim, h, n));
  }
  autograd::record(out, "GluBackward0", {x}, {{"self", x}},
                   [dim, h, n](const Tensor& g, const Tensor& x) -> Grads {
                     Tensor a = slice(x, dim, 0, h), s = sigmoid(slice(x, dim, h, n));
                     Tensor ga = g * s;
                     return {cat({ga, ga * a * (1.0 - s)}, dim)};
                   });
  return out;
}

}  // namespace gf::nn::functional
