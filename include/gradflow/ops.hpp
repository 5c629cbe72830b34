// Differentiable ops as free functions, named as in torch::. Each lives with its backward in one
// file under src/ops/ (the file is named in the comment of each group). Elementwise binary ops
// broadcast like numpy; the gradient is summed back over broadcast dims.
#pragma once
#include <vector>

#include "gradflow/tensor.hpp"

namespace gf {

// ---- arithmetic (src/ops/arithmetic.cpp) ----
// Broadcast like numpy; dtypes promote like torch (Int64 with a float or a fractional number gives
// the float; Int64 / Int64 is true division in the default float dtype). AddBackward0 …
// DivBackward0, NegBackward0; the gradient is summed back over broadcast dims.
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

// ---- unary math (src/ops/unary.cpp) ----
// Int64 input to exp/log/log1p/sqrt/sigmoid/tanh gives the default float dtype. At kinks, as
// torch: relu'(0) = 0, abs'(0) = 0, clamp' = 1 on [lo, hi] bounds included, sign' = 0, sqrt'(0) =
// inf; maximum/minimum split a tie ½ each. grad_fn: ExpBackward0, ReluBackward0, …
Tensor exp(const Tensor& x);
Tensor log(const Tensor& x);
Tensor sqrt(const Tensor& x);
Tensor abs(const Tensor& x);
Tensor pow(const Tensor& x, double p);
Tensor pow(const Tensor& x, const Tensor& p);
Tensor relu(const Tensor& x);
Tensor sigmoid(const Tensor& x);
Tensor tanh(const Tensor& x);
Tensor clamp(const Tensor& x, double lo, double hi);
Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b);
Tensor log1p(const Tensor& x);                       // log(1 + x), accurate for small x
Tensor sign(const Tensor& x);                        // -1, 0 or 1 (SignBackward0: zero gradient)
Tensor square(const Tensor& x);                      // pow(x, 2)
Tensor maximum(const Tensor& a, const Tensor& b);    // elementwise, broadcasting; ties split 1/2
Tensor minimum(const Tensor& a, const Tensor& b);
// log(1 + exp(βx)) / β, and x itself where βx > threshold (like torch.nn.functional.softplus)
Tensor softplus(const Tensor& x, double beta = 1, double threshold = 20);

// ---- comparisons, not differentiable; return Int64 0/1 (src/ops/compare.cpp) ----
// Broadcast and promote like arithmetic; the result never requires grad.
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
// Against a number (compared in a's dtype; an Int64 tensor against a fractional number in float64).
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

// ---- reductions (src/ops/reduction.cpp) ----
// sum keeps the dtype (Int64 stays Int64); mean needs a float input (torch's message otherwise).
// max over all elements splits its gradient evenly among ties (MaxBackward1); max over a dim
// sends it to the first maximal index (MaxBackward0); NaN counts as the largest.
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

// ---- views and shape (src/ops/shape.cpp) ----
// Views share storage (reshape copies only when the strides forbid a view); each backward maps
// the gradient back to the input's shape (TransposeBackward0, ViewBackward0, ExpandBackward0, …).
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
// index tensors are Int64; out-of-range indices throw gf::Error naming the index. Repeated indices
// accumulate their gradients (GatherBackward0 scatters with an add); cat promotes dtypes.
Tensor gather(const Tensor& x, int64_t dim, const Tensor& index);
Tensor index_select(const Tensor& x, int64_t dim, const Tensor& index);
Tensor cat(const std::vector<Tensor>& xs, int64_t dim = 0);
Tensor stack(const std::vector<Tensor>& xs, int64_t dim = 0);

// ---- linear algebra (src/ops/matmul.cpp) ----
// Both operands must have the same float dtype (torch's rule). Transposed operands reach BLAS as
// flags, never copies; dL/dA = G Bᵀ, dL/dB = Aᵀ G (MmBackward0, AddmmBackward0, BmmBackward0).
Tensor matmul(const Tensor& a, const Tensor& b);  // 1-D, 2-D and batched 3-D like torch.matmul
Tensor mm(const Tensor& a, const Tensor& b);      // 2-D x 2-D (MmBackward0)
Tensor addmm(const Tensor& bias, const Tensor& a, const Tensor& b);  // bias + a b (AddmmBackward0)
Tensor outer(const Tensor& a, const Tensor& b);
Tensor dot(const Tensor& a, const Tensor& b);

// ---- softmax family (src/ops/softmax.cpp) ----
// One numerically stable pass over `dim` (the row max subtracted first); Int64 is promoted.
// dL/dx = s ⊙ (g − Σ_dim g ⊙ s) for softmax (SoftmaxBackward0), g − softmax Σ_dim g for log_softmax.
Tensor softmax(const Tensor& x, int64_t dim);
Tensor log_softmax(const Tensor& x, int64_t dim);
Tensor logsumexp(const Tensor& x, int64_t dim, bool keepdim = false);

}  // namespace gf
