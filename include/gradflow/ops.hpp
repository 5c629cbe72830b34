// Differentiable ops as free functions, named as in torch::. Each lives with its backward in one
// file under src/ops/ (the file is named in the comment of each group). Elementwise binary ops
// broadcast like numpy; the gradient is summed back over broadcast dims.
//
// The contract of every op below: a grad_fn (named as PyTorch names it, listed per group) is
// recorded only when an input requires grad and grad mode is on; each backward is written with
// differentiable ops, so create_graph gives second derivatives (docs/derivatives.md has every
// formula); bad shapes, dims or indices throw gf::Error naming the op and the values. Dtypes
// promote as torch.result_type (gf::result_type): bool < uint8 < int32 < int64 < float32 <
// float64, except that a 0-d operand (numbers arrive as 0-d tensors) raises the dtype only when it
// is of a higher category (bool < integer < floating): uint8 tensor + 2 stays uint8.
#pragma once
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "gradflow/tensor.hpp"

namespace gf {

// ---- arithmetic (src/ops/arithmetic.cpp) ----
// Broadcasting and promotion as above; a number takes the tensor's dtype (a fractional number
// meets an integer tensor in the default float dtype, an integral one a Bool tensor in Int64),
// integer arithmetic wraps like C (uint8 200 + 100 = 44), and integer / integer divides in the
// default float dtype.
// d(a±b) = (1, ±1), d(ab) = (b, a), d(a/b) = (1/b, −a/b²). grad_fn: AddBackward0, SubBackward0,
// MulBackward0, DivBackward0, NegBackward0 (a number operand is a saved 0-d tensor).
Tensor add(const Tensor& a, const Tensor& b);
Tensor sub(const Tensor& a, const Tensor& b);
Tensor mul(const Tensor& a, const Tensor& b);
Tensor div(const Tensor& a, const Tensor& b);
Tensor neg(const Tensor& a);
Tensor operator+(const Tensor& a, const Tensor& b);
Tensor operator-(const Tensor& a, const Tensor& b);
Tensor operator*(const Tensor& a, const Tensor& b);
Tensor operator/(const Tensor& a, const Tensor& b);
Tensor operator-(const Tensor& a);
Tensor operator+(const Tensor& a, double b);
Tensor operator-(const Tensor& a, double b);
Tensor operator*(const Tensor& a, double b);
Tensor operator/(const Tensor& a, double b);
Tensor operator+(double a, const Tensor& b);
Tensor operator-(double a, const Tensor& b);
Tensor operator*(double a, const Tensor& b);
Tensor operator/(double a, const Tensor& b);

// ---- unary math (src/ops/unary.cpp; where, maximum, minimum: src/ops/where.cpp) ----
// Bool / integer input promotes to the default float dtype for exp, log, log1p, sqrt, sigmoid,
// tanh, softplus and pow by a fractional number; abs, sign, relu, square, pow by an integral
// number and clamp with integral bounds keep it.
// At kinks, as torch: abs′(0) = 0, relu′(0) = 0, sign′ = 0, sqrt′(0) = inf, clamp′ = 1 on
// [lo, hi] (bounds included) and 0 outside; pow(x, p) by a tensor: d/dp = x^p log x, taken as 0
// where x = 0 and p ≥ 0. maximum/minimum split the gradient ½–½ on ties (NaN wins the forward);
// where(c, a, b) sends g to a where c and to b elsewhere (c gets none). grad_fn: ExpBackward0,
// LogBackward0, Log1PBackward0, SqrtBackward0, AbsBackward0, SignBackward0, PowBackward0 (number
// exponent and square), PowBackward1 (tensor exponent), ReluBackward0, SigmoidBackward0,
// TanhBackward0, ClampBackward1, SoftplusBackward0, WhereBackward0, MaximumBackward0,
// MinimumBackward0.
Tensor exp(const Tensor& x);
Tensor log(const Tensor& x);
Tensor sqrt(const Tensor& x);
Tensor abs(const Tensor& x);
// Integer tensors to an integral power stay integers (wrapping like C, as torch); a negative
// integral power of an integer tensor throws ("Integers to negative integer powers are not
// allowed"); a fractional power promotes to the default dtype. (libtorch's pow(i, 2) keeps the
// dtype and pow(i, 2.0) promotes; a double cannot tell them apart, so 2.0 counts as integral.)
Tensor pow(const Tensor& x, double p);
Tensor pow(const Tensor& x, const Tensor& p);  // dtype: torch.result_type(x, p)
Tensor relu(const Tensor& x);
Tensor sigmoid(const Tensor& x);
Tensor tanh(const Tensor& x);
Tensor clamp(const Tensor& x, double lo, double hi);
Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b);
Tensor log1p(const Tensor& x);                       // log(1 + x), accurate for small x
Tensor sign(const Tensor& x);                        // -1, 0 or 1 (SignBackward0: zero gradient)
Tensor square(const Tensor& x);                      // pow(x, 2)
Tensor maximum(const Tensor& a, const Tensor& b);    // elementwise, broadcasting; ties split 1/2
Tensor minimum(const Tensor& a, const Tensor& b);    // (NaN wins, like torch)
// log(1 + exp(βx)) / β, and x itself where βx > threshold (like torch.nn.functional.softplus)
Tensor softplus(const Tensor& x, double beta = 1, double threshold = 20);

// ---- clamp variants (src/ops/clamp.cpp) ----
// clamp_min(x, lo) = max(x, lo), gradient 1 where x >= lo (ties pass it, like torch);
// clamp_max likewise with x <= hi. clamp(x, lo, hi) with tensor bounds broadcasts; the bounds get
// the gradient where they bind (ClampBackward0, torch's clamp_backward_min_max).
Tensor clamp_min(const Tensor& x, double lo);                          // ClampMinBackward0
Tensor clamp_max(const Tensor& x, double hi);                          // ClampMaxBackward0
Tensor clamp(const Tensor& x, const Tensor& lo, const Tensor& hi);     // ClampBackward0

// ---- more elementwise math (src/ops/math.cpp): Bool / integer inputs promote to the default
// float dtype; each records torch's grad_fn (SinBackward0, ...). Outside the domain the result is
// NaN (asin(2)) or ±inf (atanh(1)), and so is the gradient, as in torch. ----
Tensor sin(const Tensor& x);
Tensor cos(const Tensor& x);
Tensor tan(const Tensor& x);
Tensor asin(const Tensor& x);
Tensor acos(const Tensor& x);
Tensor atan(const Tensor& x);
Tensor atan2(const Tensor& a, const Tensor& b);  // angle of (b, a); broadcasting
Tensor sinh(const Tensor& x);
Tensor cosh(const Tensor& x);
Tensor asinh(const Tensor& x);
Tensor acosh(const Tensor& x);
Tensor atanh(const Tensor& x);
Tensor exp2(const Tensor& x);
Tensor expm1(const Tensor& x);  // exp(x) - 1, accurate for small x (SLEEF, torch's bits)
Tensor log2(const Tensor& x);
Tensor log10(const Tensor& x);
Tensor rsqrt(const Tensor& x);       // 1 / sqrt(x)
Tensor reciprocal(const Tensor& x);  // 1 / x
Tensor erf(const Tensor& x);         // SLEEF, torch's bits
Tensor erfc(const Tensor& x);        // 1 - erf(x), accurate for large x

// ---- rounding and remainders (src/ops/rounding.cpp) ----
// floor ceil round trunc: zero gradient everywhere (torch's convention, also at the jumps);
// integer inputs are returned as copies in their dtype. round: halves to even (0.5 -> 0,
// 2.5 -> 2), like torch. frac(x) = x - trunc(x) (floating only; gradient 1).
Tensor floor(const Tensor& x);
Tensor ceil(const Tensor& x);
Tensor round(const Tensor& x);
Tensor trunc(const Tensor& x);
Tensor frac(const Tensor& x);
// fmod: the result has the dividend's sign (C's fmod); remainder: the divisor's sign (Python's
// %, torch.remainder). Integer operands stay integers; an integer zero divisor throws
// (torch's ZeroDivisionError); floats give NaN. d/da = 1; d/db = -trunc(a/b) / -floor(a/b).
Tensor fmod(const Tensor& a, const Tensor& b);       // FmodBackward1
Tensor fmod(const Tensor& a, double b);              // FmodBackward0
Tensor remainder(const Tensor& a, const Tensor& b);  // RemainderBackward1
Tensor remainder(const Tensor& a, double b);         // RemainderBackward0

// ---- logical, bitwise and floating-class tests, not differentiable (src/ops/logical.cpp) ----
// logical_*: any dtypes, nonzero (NaN included) is true, result Bool. bitwise_*: Bool and
// integer dtypes only, result torch.result_type(a, b); bitwise_not of Bool is logical not.
Tensor logical_and(const Tensor& a, const Tensor& b);
Tensor logical_or(const Tensor& a, const Tensor& b);
Tensor logical_xor(const Tensor& a, const Tensor& b);
Tensor logical_not(const Tensor& x);
Tensor bitwise_and(const Tensor& a, const Tensor& b);
Tensor bitwise_or(const Tensor& a, const Tensor& b);
Tensor bitwise_xor(const Tensor& a, const Tensor& b);
Tensor bitwise_not(const Tensor& x);
Tensor operator&(const Tensor& a, const Tensor& b);  // bitwise_and
Tensor operator|(const Tensor& a, const Tensor& b);  // bitwise_or
Tensor operator^(const Tensor& a, const Tensor& b);  // bitwise_xor
Tensor operator~(const Tensor& x);                   // bitwise_not
Tensor operator!(const Tensor& x);                   // logical_not
Tensor isnan(const Tensor& x);
Tensor isinf(const Tensor& x);
Tensor isfinite(const Tensor& x);

// ---- comparisons, not differentiable; return Bool (src/ops/compare.cpp) ----
// Both sides broadcast and are compared in their promoted dtype (torch.result_type); the result
// never requires grad (no grad_fn). NaN is unequal to everything, itself included.
Tensor eq(const Tensor& a, const Tensor& b);
Tensor ne(const Tensor& a, const Tensor& b);
Tensor lt(const Tensor& a, const Tensor& b);
Tensor le(const Tensor& a, const Tensor& b);
Tensor gt(const Tensor& a, const Tensor& b);
Tensor ge(const Tensor& a, const Tensor& b);
Tensor operator==(const Tensor& a, const Tensor& b);
Tensor operator<(const Tensor& a, const Tensor& b);
Tensor operator>(const Tensor& a, const Tensor& b);
Tensor operator<=(const Tensor& a, const Tensor& b);
Tensor operator>=(const Tensor& a, const Tensor& b);
bool allclose(const Tensor& a, const Tensor& b, double rtol = 1e-5, double atol = 1e-8);
Tensor operator!=(const Tensor& a, const Tensor& b);
// Against a number (compared in a's dtype; an integer tensor against a fractional or out-of-range
// number in float64).
Tensor eq(const Tensor& a, double b);
Tensor ne(const Tensor& a, double b);
Tensor lt(const Tensor& a, double b);
Tensor le(const Tensor& a, double b);
Tensor gt(const Tensor& a, double b);
Tensor ge(const Tensor& a, double b);
Tensor operator==(const Tensor& a, double b);
Tensor operator!=(const Tensor& a, double b);
Tensor operator<(const Tensor& a, double b);
Tensor operator>(const Tensor& a, double b);
Tensor operator<=(const Tensor& a, double b);
Tensor operator>=(const Tensor& a, double b);

// ---- reductions (src/ops/reduction.cpp; max, min, argmax, argmin: src/ops/max.cpp) ----
// sum of Bool / integer tensors is Int64, of floating ones keeps the dtype; mean needs a floating
// dtype. dim may be negative;
// keepdim keeps it with size 1. d sum = 1 and d mean = 1/n, broadcast back. max/min over all
// elements share the gradient evenly among ties (NaN propagates and counts as the extreme); along
// a dim they return values only and the gradient goes to the first index reaching the extreme
// (the index argmax/argmin return). grad_fn: SumBackward0/MeanBackward0 (all elements),
// SumBackward1/MeanBackward1 (a dim), MaxBackward1/MinBackward1 (all), MaxBackward0/MinBackward0
// (a dim), SumToBackward0.
Tensor sum(const Tensor& x);
Tensor sum(const Tensor& x, int64_t dim, bool keepdim = false);
Tensor mean(const Tensor& x);
Tensor mean(const Tensor& x, int64_t dim, bool keepdim = false);
Tensor max(const Tensor& x);
Tensor max(const Tensor& x, int64_t dim, bool keepdim = false);
Tensor argmax(const Tensor& x, int64_t dim, bool keepdim = false);
// (max family, src/ops/max.cpp) flat index of the first maximum / minimum over all elements
Tensor argmax(const Tensor& x);
Tensor min(const Tensor& x);                                       // MinBackward1
Tensor min(const Tensor& x, int64_t dim, bool keepdim = false);    // values only (MinBackward0)
Tensor argmin(const Tensor& x, int64_t dim, bool keepdim = false);
Tensor argmin(const Tensor& x);
// Sums x down to `shape` (the inverse of broadcasting); used by every broadcasting backward.
Tensor sum_to(const Tensor& x, const Shape& shape);

// ---- reductions over a list of dims (src/ops/reduce_dims.cpp) ----
// An empty list reduces every dim. A dim may appear once. Float inputs accumulate in double.
Tensor sum(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim = false);
Tensor mean(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim = false);
// Product (ProdBackward0 / ProdBackward1); the gradient is exact with zeros in x.
Tensor prod(const Tensor& x);
Tensor prod(const Tensor& x, int64_t dim, bool keepdim = false);
// Max / min over dims; NaN propagates; the gradient is split evenly among ties (AmaxBackward0).
Tensor amax(const Tensor& x, const std::vector<int64_t>& dims = {}, bool keepdim = false);
Tensor amin(const Tensor& x, const std::vector<int64_t>& dims = {}, bool keepdim = false);
Tensor amax(const Tensor& x, int64_t dim, bool keepdim = false);
Tensor amin(const Tensor& x, int64_t dim, bool keepdim = false);
// Variance / standard deviation: sum((x - mean)²) / (N - correction); std::nullopt: all dims,
// as in gf::var(x, std::nullopt, 0). N <= correction gives inf or nan, like PyTorch.
Tensor var(const Tensor& x);
Tensor var(const Tensor& x, int64_t dim, int64_t correction = 1, bool keepdim = false);
Tensor var(const Tensor& x, const std::vector<int64_t>& dims, int64_t correction = 1,
           bool keepdim = false);
Tensor var(const Tensor& x, std::optional<std::vector<int64_t>> dims, int64_t correction = 1,
           bool keepdim = false);
Tensor std(const Tensor& x);
Tensor std(const Tensor& x, int64_t dim, int64_t correction = 1, bool keepdim = false);
Tensor std(const Tensor& x, const std::vector<int64_t>& dims, int64_t correction = 1,
           bool keepdim = false);
Tensor std(const Tensor& x, std::optional<std::vector<int64_t>> dims, int64_t correction = 1,
           bool keepdim = false);
Tensor logsumexp(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim = false);
// p-norm over dims (torch.norm): p = 2 default, 1, 0 (count of nonzeros), inf, -inf, any p.
Tensor norm(const Tensor& x, double p = 2);
Tensor norm(const Tensor& x, double p, int64_t dim, bool keepdim = false);
Tensor norm(const Tensor& x, double p, const std::vector<int64_t>& dims, bool keepdim = false);

// ---- median (src/ops/median.cpp) ----
// The lower of the two middle values for an even count (torch); NaN anywhere gives NaN (along a
// dim: the index of the row's first NaN); ties along a dim: the index in stable sorted order.
// median(x): MedianBackward0, the gradient split evenly among the elements equal to the median;
// median(x, dim): (values, indices), MedianBackward1, the gradient to the returned index.
Tensor median(const Tensor& x);
std::tuple<Tensor, Tensor> median(const Tensor& x, int64_t dim, bool keepdim = false);

// ---- scans (src/ops/scan.cpp); integer inputs give Int64 ----
Tensor cumsum(const Tensor& x, int64_t dim);
Tensor cumprod(const Tensor& x, int64_t dim);  // exact gradient also with zeros in x

// ---- sorting (src/ops/sort.cpp): (values, indices) ----
// NaN is larger than every number; every sort is stable (the `stable` overload too); topk gives
// the k largest (smallest) sorted, ties in index order (torch leaves that order unspecified).
std::tuple<Tensor, Tensor> sort(const Tensor& x, int64_t dim = -1, bool descending = false);
std::tuple<Tensor, Tensor> sort(const Tensor& x, bool stable, int64_t dim, bool descending = false);
std::tuple<Tensor, Tensor> topk(const Tensor& x, int64_t k, int64_t dim = -1, bool largest = true,
                                bool sorted = true);

// ---- scatter (src/ops/scatter.cpp) ----
// out = self.clone() with src (or value) written at index along dim; reduce "add" / "multiply"
// combines instead (not differentiable, as in PyTorch). scatter_add sums repeated indices.
Tensor scatter(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src);
Tensor scatter(const Tensor& self, int64_t dim, const Tensor& index, double value);
Tensor scatter(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src,
               const std::string& reduce);
Tensor scatter(const Tensor& self, int64_t dim, const Tensor& index, double value,
               const std::string& reduce);
Tensor scatter_add(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src);

// ---- shape ops (src/ops/shape_ops.cpp) ----
Tensor flip(const Tensor& x, const std::vector<int64_t>& dims);
// Circular shift; with no dims, x is flattened, shifted and reshaped back.
Tensor roll(const Tensor& x, const std::vector<int64_t>& shifts,
            const std::vector<int64_t>& dims = {});
Tensor repeat(const Tensor& x, const std::vector<int64_t>& repeats);  // also x.repeat({..})
Tensor tile(const Tensor& x, const std::vector<int64_t>& reps);
// Views of x, one node for all pieces (SplitBackward0 / SplitWithSizesBackward0 /
// UnbindBackward0). chunk gives ceil(size / chunks) per piece, so maybe fewer than `chunks`.
std::vector<Tensor> split(const Tensor& x, int64_t split_size, int64_t dim = 0);
std::vector<Tensor> split(const Tensor& x, const std::vector<int64_t>& split_sizes,
                          int64_t dim = 0);
std::vector<Tensor> chunk(const Tensor& x, int64_t chunks, int64_t dim = 0);
std::vector<Tensor> unbind(const Tensor& x, int64_t dim = 0);
Tensor narrow(const Tensor& x, int64_t dim, int64_t start, int64_t length);
Tensor movedim(const Tensor& x, int64_t source, int64_t destination);
Tensor movedim(const Tensor& x, const std::vector<int64_t>& source,
               const std::vector<int64_t>& destination);
Tensor swapaxes(const Tensor& x, int64_t axis0, int64_t axis1);
Tensor expand_as(const Tensor& x, const Tensor& other);
Tensor tril(const Tensor& x, int64_t diagonal = 0);
Tensor triu(const Tensor& x, int64_t diagonal = 0);

// ---- views and shape (src/ops/shape.cpp) ----
// Views share storage (no copy, the dtype kept); reshape of a non-contiguous tensor copies
// (UnsafeViewBackward0). The gradient is mapped back: transposed or permuted back, reshaped,
// summed over expanded dims, placed into zeros for slice and select. grad_fn: TransposeBackward0,
// TBackward0, PermuteBackward0, ViewBackward0 (reshape, flatten), UnsqueezeBackward0,
// SqueezeBackward1, ExpandBackward0, SliceBackward0, SelectBackward0.
Tensor transpose(const Tensor& x, int64_t d0, int64_t d1);
Tensor t(const Tensor& x);
Tensor permute(const Tensor& x, const Shape& dims);
Tensor reshape(const Tensor& x, const Shape& shape);  // one size may be -1
Tensor flatten(const Tensor& x, int64_t start = 0, int64_t end = -1);
Tensor unsqueeze(const Tensor& x, int64_t dim);
Tensor squeeze(const Tensor& x, int64_t dim);
Tensor expand(const Tensor& x, const Shape& shape);  // -1 keeps a size
Tensor slice(const Tensor& x, int64_t dim, int64_t start, int64_t end, int64_t step = 1);
Tensor select(const Tensor& x, int64_t dim, int64_t index);

// ---- indexing and joining (src/ops/indexing.cpp) ----
// Indices are Int64; one out of range is a gf::Error naming the op, the index and the size.
// cat and stack promote to a common dtype (each gradient is cast back to its input's). The
// backward of gather and index_select adds into zeros (repeated indices accumulate).
// grad_fn: GatherBackward0, IndexSelectBackward0, CatBackward0, StackBackward0.
Tensor gather(const Tensor& x, int64_t dim, const Tensor& index);
Tensor index_select(const Tensor& x, int64_t dim, const Tensor& index);
Tensor cat(const std::vector<Tensor>& xs, int64_t dim = 0);
Tensor stack(const std::vector<Tensor>& xs, int64_t dim = 0);

// ---- masks (src/ops/masked.cpp; x.index({...}) / index_put_: gradflow/indexing.hpp) ----
// Masks are Bool and broadcast against x (masked_fill: to x's shape). masked_fill puts value
// where mask (dL/dx = g where not mask; a 0-d tensor value gets Σ g where mask:
// MaskedFillBackward0 / MaskedFillBackward1); masked_select gives the selected elements as 1-D
// (MaskedSelectBackward0); nonzero gives Int64 [n, x.dim()] coordinates, row-major (NaN counts
// as nonzero). any / all (not differentiable) reduce over all dims, a dim or a list of dims and
// return Bool (UInt8 for UInt8 input, as torch).
Tensor masked_fill(const Tensor& x, const Tensor& mask, double value);
Tensor masked_fill(const Tensor& x, const Tensor& mask, const Tensor& value);
Tensor masked_select(const Tensor& x, const Tensor& mask);
Tensor nonzero(const Tensor& x);
Tensor any(const Tensor& x);
Tensor any(const Tensor& x, int64_t dim, bool keepdim = false);
Tensor any(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim = false);
Tensor all(const Tensor& x);
Tensor all(const Tensor& x, int64_t dim, bool keepdim = false);
Tensor all(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim = false);

// ---- linear algebra (src/ops/matmul.cpp) ----
// Both operands must have the same dtype (no promotion); matmul follows torch.matmul (a 1-D
// operand gains and loses a unit dim; N-d operands batch over all but their last two dims, which
// broadcast: 3-D is one bmm, 4-D and up are folded to 3-D and unfolded again). dL/dA = G Bᵀ and
// dL/dB = Aᵀ G, each computed only when that operand needs it; transposed operands (W.t()) go to
// BLAS as flags, never copied. grad_fn: MmBackward0, AddmmBackward0, BmmBackward0, DotBackward0;
// matmul records the op of the path it takes (3-D · 2-D and 4-D: ViewBackward0 over MmBackward0 /
// BmmBackward0), outer is MulBackward0.
Tensor matmul(const Tensor& a, const Tensor& b);
Tensor mm(const Tensor& a, const Tensor& b);      // 2-D x 2-D (MmBackward0)
Tensor addmm(const Tensor& bias, const Tensor& a, const Tensor& b);  // bias + a b (AddmmBackward0)
Tensor outer(const Tensor& a, const Tensor& b);
Tensor dot(const Tensor& a, const Tensor& b);
// einsum("ij,jk->ik", {a, b}) through permutes, sums and batched matmuls (src/ops/einsum.cpp);
// implicit output (no "->") as in PyTorch; a repeated subscript takes the diagonal; no "...".
Tensor einsum(const std::string& equation, const std::vector<Tensor>& operands);

// ---- softmax family (src/ops/softmax.cpp) ----
// Int64 promotes to the default float dtype; each is one numerically stable pass per row
// (logits of ±1000 give neither inf nor NaN). d softmax: s ⊙ (g − Σ_dim g ⊙ s); d log_softmax:
// g − softmax Σ_dim g; d logsumexp: g ⊙ softmax. grad_fn: SoftmaxBackward0, LogSoftmaxBackward0,
// LogsumexpBackward0.
Tensor softmax(const Tensor& x, int64_t dim);
Tensor log_softmax(const Tensor& x, int64_t dim);
Tensor logsumexp(const Tensor& x, int64_t dim, bool keepdim = false);

}  // namespace gf
