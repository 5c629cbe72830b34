// Reductions over a list of dims (or all dims, when the list is empty): sum, mean, prod, amax,
// amin, var, std, logsumexp, norm. One pass over the input per reduction
// (kernels/reduce_dims.hpp), whatever the dims. Each backward first restores the reduced dims
// (unsqueeze where keepdim was false, then expand to the input's shape) and is written with
// differentiable ops, so double backward works. Contract notes, as in PyTorch:
//   - a dim may appear only once in the list; dims of size 0 sum to 0 and multiply to 1, but
//     amax/amin/norm(inf) refuse them;
//   - amax/amin propagate NaN and split the gradient evenly among ties (AmaxBackward0);
//   - var/std divide by N - correction (correction 1: Bessel's), giving inf/nan when N <=
//   correction;
//   - integer inputs: sum/prod return Int64; mean, var, std, logsumexp and norm need a float
//     dtype (logsumexp promotes integers to the default dtype).
#include "../kernels/reduce_dims.hpp"

#include <cmath>
#include <limits>

#include "gradflow/autograd/node.hpp"
#include "gradflow/factories.hpp"
#include "gradflow/ops.hpp"

namespace gf {

using autograd::Backward;
using autograd::Grads;

namespace {

// Which dims of x a reduction over `dims` removes; an empty list means all of them.
std::vector<bool> reduced_mask(const Tensor& x, const std::vector<int64_t>& dims, const char* op) {
  std::vector<bool> mask(x.dim(), dims.empty());
  for (int64_t d : dims) {
    int64_t w = wrap_dim(d, x.dim(), op);
    if (x.dim() == 0) continue;
    GF_CHECK(!mask[w], op, ": dim ", w, " appears multiple times in the list of dims ",
             Shape(dims));
    mask[w] = true;
  }
  return mask;
}

std::vector<int64_t> mask_dims(const std::vector<bool>& mask) {
  std::vector<int64_t> d;
  for (std::size_t i = 0; i < mask.size(); ++i)
    if (mask[i]) d.push_back(static_cast<int64_t>(i));
  return d;
}

Shape reduced_shape(const Shape& s, const std::vector<bool>& mask, bool keepdim) {
  Shape out;
  for (std::size_t d = 0; d < s.size(); ++d)
    if (!mask[d])
      out.push_back(s[d]);
    else if (keepdim)
      out.push_back(1);
  return out;
}

int64_t reduced_count(const Shape& s, const std::vector<bool>& mask) {
  int64_t n = 1;
  for (std::size_t d = 0; d < s.size(); ++d)
    if (mask[d]) n *= s[d];
  return n;
}

// Puts the reduced dims back (size 1) and broadcasts to the input's shape: the adjoint of a sum.
Tensor restore_dims(const Tensor& g, const std::vector<bool>& mask, const Shape& shape,
                    bool keepdim) {
  Tensor r = g;
  if (!keepdim)
    for (std::size_t d = 0; d < mask.size(); ++d)
      if (mask[d]) r = unsqueeze(r, static_cast<int64_t>(d));
  return expand(r, shape);
}

// Where an accumulator starts: 0, 1, or the lowest / highest value of its type (max / min).
enum class Init { Zero, One, Lowest, Highest };

// The reduction itself, no autograd: acc starts at `init`, each element goes through `step`.
template <class AccOf, class Step>
Tensor reduce_raw(const Tensor& x, const std::vector<bool>& mask, bool keepdim, DType out_dtype,
                  Init init, Step step, bool is_sum = false) {
  Shape out_shape = reduced_shape(x.sizes(), mask, keepdim);
  Tensor out = empty(out_shape, out_dtype);
  dispatch(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    using Acc = typename AccOf::template type<T>;
    using L = std::numeric_limits<Acc>;
    Acc start = init == Init::Zero     ? Acc(0)
                : init == Init::One    ? Acc(1)
                : init == Init::Lowest ? (L::has_infinity ? -L::infinity() : L::lowest())
                                       : (L::has_infinity ? L::infinity() : L::max());
    std::vector<Acc> acc(out_shape.numel(), start);
    const T* base = static_cast<const T*>(x.impl().storage->data);
    kernels::ReducePlan plan = kernels::plan_reduce(x, mask);
    if (x.numel() > 0) {
      if (is_sum)
        kernels::sum_run<T, Acc>(base, plan, acc.data());
      else
        kernels::reduce_run<T, Acc>(base, plan, acc.data(), [&](Acc a, T v) { return step(a, v); });
    }
    dispatch(out_dtype, [&](auto otag) {
      using O = decltype(otag);
      O* o = out.data_ptr<O>();
      for (std::size_t i = 0; i < acc.size(); ++i) o[i] = static_cast<O>(acc[i]);
    });
  });
  return out;
}

// double for floats (PyTorch's CPU accumulate type), int64 for integers; or the element type.
struct WideAcc {
  template <class T>
  using type = std::conditional_t<std::is_floating_point_v<T>, double, int64_t>;
};
// (bool accumulates as uint8_t: std::vector<bool> has no data())
struct SameAcc {
  template <class T>
  using type = std::conditional_t<std::is_same_v<T, bool>, uint8_t, T>;
};

DType sum_dtype(DType d) { return is_floating(d) ? d : DType::Int64; }

Tensor sum_raw(const Tensor& x, const std::vector<bool>& mask, bool keepdim) {
  return reduce_raw<WideAcc>(
      x, mask, keepdim, sum_dtype(x.dtype()), Init::Zero, [](auto a, auto v) { return a + v; },
      true);
}

void check_floating(const Tensor& x, const char* op) {
  GF_CHECK(is_floating(x.dtype()), op,
           ": could not infer output dtype; input dtype must be a "
           "floating point, got ",
           dtype_name(x.dtype()));
}

// max / min with NaN propagation: once a NaN is in, it stays.
template <bool IsMax>
Tensor extremum_raw(const Tensor& x, const std::vector<bool>& mask, bool keepdim, const char* op) {
  for (std::size_t d = 0; d < mask.size(); ++d)
    GF_CHECK(!mask[d] || x.sizes()[d] > 0, op, ": expected reduction dim ", d,
             " to have non-zero size (input of shape ", x.sizes(), ")");
  GF_CHECK(x.numel() > 0 || x.dim() > 0, op, ": cannot reduce an empty tensor");
  Init init = IsMax ? Init::Lowest : Init::Highest;
  return reduce_raw<SameAcc>(x, mask, keepdim, x.dtype(), init, [](auto a, auto v) {
    bool take = IsMax ? v > a : v < a;
    return take || v != v ? v : a;
  });
}

// amax / amin: dL/dx = g · [x == result] / #ties   (PyTorch's scale_grad_by_count)
template <bool IsMax>
Tensor extremum_dims(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim) {
  const char* op = IsMax ? "amax" : "amin";
  std::vector<bool> mask = reduced_mask(x, dims, op);
  Tensor out = extremum_raw<IsMax>(x, mask, keepdim, op);
  autograd::record(out, IsMax ? "AmaxBackward0" : "AminBackward0", {x},
                   {{"self", x}, {"result", out}},
                   [mask, keepdim](const Tensor& g, const Tensor& x, const Tensor& r) -> Grads {
                     Tensor hit = eq(restore_dims(r, mask, x.sizes(), keepdim), x).to(g.dtype());
                     Tensor count = sum(hit, mask_dims(mask), true);
                     return {restore_dims(g, mask, x.sizes(), keepdim) / count * hit};
                   });
  return out;
}

}  // namespace

// d sum(x)/dx = 1: the gradient is broadcast back over the reduced dims
Tensor sum(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim) {
  std::vector<bool> mask = reduced_mask(x, dims, "sum");
  Tensor out = sum_raw(x, mask, keepdim);
  Shape shape = x.sizes();
  autograd::record(out, "SumBackward1", {x}, [mask, shape, keepdim](const Tensor& g) -> Grads {
    return {restore_dims(g, mask, shape, keepdim)};
  });
  return out;
}

// d mean(x)/dx = 1/N over the N reduced elements
Tensor mean(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim) {
  check_floating(x, "mean");
  std::vector<bool> mask = reduced_mask(x, dims, "mean");
  double n = static_cast<double>(reduced_count(x.sizes(), mask));
  Tensor out = sum_raw(x, mask, keepdim);
  dispatch_floating(out.dtype(), [&](auto tag) {
    using T = decltype(tag);
    T* p = out.data_ptr<T>();
    for (int64_t i = 0, k = out.numel(); i < k; ++i) p[i] = static_cast<T>(p[i] / n);
  });
  Shape shape = x.sizes();
  autograd::record(out, "MeanBackward1", {x}, [mask, shape, keepdim, n](const Tensor& g) -> Grads {
    return {restore_dims(g, mask, shape, keepdim) / n};
  });
  return out;
}

Tensor amax(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim) {
  return extremum_dims<true>(x, dims, keepdim);
}
Tensor amin(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim) {
  return extremum_dims<false>(x, dims, keepdim);
}
Tensor amax(const Tensor& x, int64_t dim, bool keepdim) {
  return extremum_dims<true>(x, {dim}, keepdim);
}
Tensor amin(const Tensor& x, int64_t dim, bool keepdim) {
  return extremum_dims<false>(x, {dim}, keepdim);
}

namespace {

// prod_{j != i} x_j along dim, without dividing (exact with zeros): the product of everything
// before i (exclusive cumprod from the left) times everything after i (from the right).
Tensor prod_of_others(const Tensor& x, int64_t dim) {
  int64_t n = x.sizes()[dim];
  if (n == 1) return ones_like(x);
  Shape one = x.sizes();
  one[dim] = 1;
  Tensor ones1 = ones(one, x.dtype());
  Tensor left = cat({ones1, cumprod(narrow(x, dim, 0, n - 1), dim)}, dim);
  Tensor right =
      flip(cat({ones1, cumprod(flip(narrow(x, dim, 1, n - 1), {dim}), dim)}, dim), {dim});
  return left * right;
}

bool has_zero(const Tensor& x) {
  NoGradGuard no_grad;
  return sum(eq(x, 0.0)).item() > 0;
}

// d prod(x)/dx_i = Π_{j≠i} x_j  =  prod(x) / x_i when no x_j is 0; with zeros, prod_of_others
// computes it exactly (no division).
Tensor prod_impl(const Tensor& x, const std::vector<bool>& mask, bool keepdim, bool all) {
  Tensor out = reduce_raw<WideAcc>(x, mask, keepdim, sum_dtype(x.dtype()), Init::One,
                                   [](auto a, auto v) { return a * v; });
  autograd::record(
      out, all ? "ProdBackward0" : "ProdBackward1", {x}, {{"self", x}, {"result", out}},
      [mask, keepdim, all](const Tensor& g, const Tensor& x, const Tensor& r) -> Grads {
        Tensor ge = restore_dims(g, mask, x.sizes(), keepdim);
        if (x.dim() == 0) return {ge};
        if (!has_zero(x)) return {ge * restore_dims(r, mask, x.sizes(), keepdim) / x};
        if (all) return {ge * reshape(prod_of_others(flatten(x), 0), x.sizes())};
        int64_t dim = mask_dims(mask).at(0);
        return {ge * prod_of_others(x, dim)};
      });
  return out;
}

}  // namespace

Tensor prod(const Tensor& x) { return prod_impl(x, reduced_mask(x, {}, "prod"), false, true); }
Tensor prod(const Tensor& x, int64_t dim, bool keepdim) {
  if (x.dim() == 0) {
    wrap_dim(dim, 0, "prod");
    return prod_impl(x, {}, keepdim, false);
  }
  return prod_impl(x, reduced_mask(x, {dim}, "prod"), keepdim, false);
}

namespace {

struct Moments {
  Tensor var;  // sum((x - mean)²) / (N - correction)
  int64_t n = 0;
};

Moments var_raw(const Tensor& x, const std::vector<bool>& mask, int64_t correction, bool keepdim) {
  NoGradGuard no_grad;
  int64_t n = reduced_count(x.sizes(), mask);
  Tensor centered = x - sum_raw(x, mask, true) / static_cast<double>(n);
  Tensor ss = sum_raw(centered * centered, mask, keepdim);
  return {ss / static_cast<double>(n - correction), n};
}

// var = Σ (x - mean)² / (N - c):   d var/dx = 2 (x - mean) / (N - c)
// std = √var:                     d std/dx = (x - mean) / ((N - c) std)
Tensor var_impl(const Tensor& x, const std::vector<int64_t>& dims, int64_t correction, bool keepdim,
                bool is_std) {
  const char* op = is_std ? "std" : "var";
  check_floating(x, op);
  std::vector<bool> mask = reduced_mask(x, dims, op);
  Moments m = var_raw(x, mask, correction, keepdim);
  double denom = static_cast<double>(m.n - correction);
  std::vector<int64_t> rd = mask_dims(mask);
  if (!is_std) {
    // d var/dx = 2 (x - mean) / (N - correction)
    autograd::record(
        m.var, "VarBackward0", {x}, {{"self", x}},
        [mask, rd, keepdim, denom](const Tensor& g, const Tensor& x) -> Grads {
          Tensor centered = x - mean(x, rd, true);
          return {restore_dims(g, mask, x.sizes(), keepdim) * centered * (2.0 / denom)};
        });
    return m.var;
  }
  Tensor out;
  {
    NoGradGuard no_grad;
    out = sqrt(m.var);
  }
  // d std/dx = (x - mean) / ((N - correction) std)
  autograd::record(
      out, "StdBackward0", {x}, {{"self", x}, {"result", out}},
      [mask, rd, keepdim, denom](const Tensor& g, const Tensor& x, const Tensor& r) -> Grads {
        Tensor centered = x - mean(x, rd, true);
        return {restore_dims(g / r, mask, x.sizes(), keepdim) * centered / denom};
      });
  return out;
}

}  // namespace

Tensor var(const Tensor& x) { return var_impl(x, {}, 1, false, false); }
Tensor var(const Tensor& x, int64_t dim, int64_t correction, bool keepdim) {
  return var_impl(x, {dim}, correction, keepdim, false);
}
Tensor var(const Tensor& x, const std::vector<int64_t>& dims, int64_t correction, bool keepdim) {
  return var_impl(x, dims, correction, keepdim, false);
}
Tensor var(const Tensor& x, std::optional<std::vector<int64_t>> dims, int64_t correction,
           bool keepdim) {
  return var_impl(x, dims ? *dims : std::vector<int64_t>{}, correction, keepdim, false);
}
Tensor std(const Tensor& x) { return var_impl(x, {}, 1, false, true); }
Tensor std(const Tensor& x, int64_t dim, int64_t correction, bool keepdim) {
  return var_impl(x, {dim}, correction, keepdim, true);
}
Tensor std(const Tensor& x, const std::vector<int64_t>& dims, int64_t correction, bool keepdim) {
  return var_impl(x, dims, correction, keepdim, true);
}
Tensor std(const Tensor& x, std::optional<std::vector<int64_t>> dims, int64_t correction,
           bool keepdim) {
  return var_impl(x, dims ? *dims : std::vector<int64_t>{}, correction, keepdim, true);
}

// l = log Σ exp(x) over dims, computed as m + log Σ exp(x - m) with m the max (0 where the max is
// ±inf, so all -inf gives -inf and +inf gives +inf, like PyTorch).
//   dl/dx = exp(x - l)
Tensor logsumexp(const Tensor& x0, const std::vector<int64_t>& dims, bool keepdim) {
  Tensor x = is_floating(x0.dtype()) ? x0 : x0.to(default_dtype());
  std::vector<bool> mask = reduced_mask(x, dims, "logsumexp");
  std::vector<int64_t> rd = mask_dims(mask);
  Tensor out;
  {
    NoGradGuard no_grad;
    Tensor m = x.numel() == 0 ? zeros(reduced_shape(x.sizes(), mask, true), x.dtype())
                              : extremum_raw<true>(x, mask, true, "logsumexp");
    m = kernels::unary(m, [](auto v) { return std::isfinite(v) ? v : decltype(v){0}; });
    out = log(sum_raw(exp(x - m), mask, true)) + m;
    if (!keepdim) out = reshape(out, reduced_shape(x.sizes(), mask, false));
  }
  autograd::record(out, "LogsumexpBackward0", {x}, {{"self", x}, {"result", out}},
                   [mask, keepdim](const Tensor& g, const Tensor& x, const Tensor& r) -> Grads {
                     return {restore_dims(g, mask, x.sizes(), keepdim) *
                             exp(x - restore_dims(r, mask, x.sizes(), keepdim))};
                   });
  return out;
}

// ‖x‖_p over dims: (Σ |x|^p)^(1/p); p = inf / -inf: max / min |x|; p = 0: the count of nonzeros.
// Backward (PyTorch's norm_backward; 0 where the norm is 0):
//   p = 1: g sgn(x);  p = 2: g x / ‖x‖;  p = ±inf: g sgn(x) [|x| = ‖x‖] / #ties;
//   otherwise: g sgn(x) |x|^(p-1) / ‖x‖^(p-1)
Tensor norm(const Tensor& x, double p, const std::vector<int64_t>& dims, bool keepdim) {
  GF_CHECK(is_floating(x.dtype()), "norm: input dtype should be floating point, got ",
           dtype_name(x.dtype()));
  std::vector<bool> mask = reduced_mask(x, dims, "norm");
  std::vector<int64_t> rd = mask_dims(mask);
  Tensor out;
  {
    NoGradGuard no_grad;
    Tensor a = abs(x);
    if (p == 2)
      out = sqrt(sum_raw(x * x, mask, keepdim));
    else if (p == 1)
      out = sum_raw(a, mask, keepdim);
    else if (std::isinf(p))
      out = p > 0 ? extremum_raw<true>(a, mask, keepdim, "norm")
                  : extremum_raw<false>(a, mask, keepdim, "norm");
    else if (p == 0)
      out = sum_raw(ne(x, 0.0).to(x.dtype()), mask, keepdim);
    else
      out = pow(sum_raw(pow(a, p), mask, keepdim), 1.0 / p);
  }
  autograd::record(
      out, "NormBackward1", {x}, {{"self", x}, {"result", out}},
      [mask, rd, keepdim, p](const Tensor& g, const Tensor& x, const Tensor& r) -> Grads {
        Tensor ge = restore_dims(g, mask, x.sizes(), keepdim);
        Tensor re = restore_dims(r, mask, x.sizes(), keepdim);
        Tensor zero = scalar_tensor(0, x.dtype());
        if (p == 0) return {ge * zero};
        if (p == 1) return {ge * sign(x)};
        if (std::isinf(p)) {
          Tensor hit = eq(abs(x), re).to(x.dtype());
          return {sign(x) * (ge / sum(hit, rd, true)) * hit};
        }
        if (p == 2) return {x * where(eq(re, 0.0), zero, ge / re)};
        Tensor scaled = sign(x) * pow(abs(x), p - 1);
        if (p < 1) scaled = where(eq(x, 0.0), zero, scaled);
        return {scaled * where(eq(re, 0.0), zero, ge / pow(re, p - 1))};
      });
  return out;
}
Tensor norm(const Tensor& x, double p) { return norm(x, p, std::vector<int64_t>{}, false); }
Tensor norm(const Tensor& x, double p, int64_t dim, bool keepdim) {
  return norm(x, p, std::vector<int64_t>{dim}, keepdim);
}

}  // namespace gf
