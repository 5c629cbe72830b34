// clamp_min, clamp_max and clamp with tensor bounds (clamp with number bounds is in unary.cpp).
// Forward min(max(x, lo), hi) as torch (lo > hi gives hi; NaN in x stays NaN); gradients follow
// torch's clamp_backward / clamp_backward_min_max, ties counting as inside the range.
#include <cmath>

#include "../kernels/elementwise.hpp"
#include "gradflow/autograd/node.hpp"
#include "gradflow/factories.hpp"
#include "gradflow/ops.hpp"

namespace gf {

using autograd::Backward;
using autograd::Grads;

namespace {
// A number bound: integer tensors stay integers for integral bounds, like torch.
Tensor bound(const Tensor& x, double v) {
  DType dt = x.dtype();
  if (!is_floating(dt) && v != std::floor(v)) dt = default_dtype();
  if (dt == DType::Bool) dt = DType::Int64;
  return scalar_tensor(v, dt);
}
Tensor zero_of(const Tensor& g) { return scalar_tensor(0, g.dtype()); }
}  // namespace

// d clamp_min(x, lo)/dx = 1 where x >= lo, else 0
Tensor clamp_min(const Tensor& x, double lo) {
  GF_CHECK(!std::isnan(lo), "clamp_min: min must not be NaN");
  Tensor out = kernels::binary(
      x, bound(x, lo), [](auto v, auto l) { return v < l ? l : v; }, "clamp_min");
  autograd::record(out, "ClampMinBackward0", {x}, {{"self", x}},
                   [lo](const Tensor& g, const Tensor& x) -> Grads {
                     return {where(ge(x, lo), g, zero_of(g))};
                   });
  return out;
}

// d clamp_max(x, hi)/dx = 1 where x <= hi, else 0
Tensor clamp_max(const Tensor& x, double hi) {
  GF_CHECK(!std::isnan(hi), "clamp_max: max must not be NaN");
  Tensor out = kernels::binary(
      x, bound(x, hi), [](auto v, auto h) { return v > h ? h : v; }, "clamp_max");
  autograd::record(out, "ClampMaxBackward0", {x}, {{"self", x}},
                   [hi](const Tensor& g, const Tensor& x) -> Grads {
                     return {where(le(x, hi), g, zero_of(g))};
                   });
  return out;
}

// clamp(x, lo, hi) with tensor bounds:
//   d/dx  = 1 where lo <= x <= hi
//   d/dlo = 1 where x < lo and lo < hi
//   d/dhi = 1 where x > hi or hi < lo
Tensor clamp(const Tensor& x, const Tensor& lo, const Tensor& hi) {
  Tensor out;
  {
    NoGradGuard no_grad;
    out = minimum(maximum(x, lo), hi);  // a NaN in x or in a bound gives NaN, as torch
  }
  autograd::record(
      out, "ClampBackward0", {x, lo, hi}, {{"self", x}, {"min", lo}, {"max", hi}},
      [](const Backward& bw, const Tensor& x, const Tensor& lo, const Tensor& hi) -> Grads {
        const Tensor& g = bw.grad();
        Tensor zero = zero_of(g);
        Tensor gx, glo, ghi;
        if (bw.needs(0)) gx = where(logical_and(ge(x, lo), le(x, hi)), g, zero);
        if (bw.needs(1)) glo = where(logical_and(lt(x, lo), lt(lo, hi)), g, zero);
        if (bw.needs(2)) ghi = where(logical_or(gt(x, hi), lt(hi, lo)), g, zero);
        return {gx, glo, ghi};
      });
  return out;
}

}  // namespace gf
