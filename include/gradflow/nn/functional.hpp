// gf::nn::functional — torch.nn.functional: stateless layers and losses on tensors.
//
//   namespace F = gf::nn::functional;
//   Tensor logits = F::linear(x, W, b);               // x Wᵀ + b, one GEMM (AddmmBackward0)
//   Tensor loss = F::cross_entropy(logits, labels);  // labels: Int64 class ids, mean over batch
//   loss.backward();                                  // dL/dlogits = (softmax(logits) − onehot) /
//   N
//
// Shapes follow PyTorch. Class dims: logits [N, C] with ids [N] or probabilities [N, C];
// unbatched [C] with a 0-d id or probabilities [C]; [N, C, d1, ...] with ids [N, d1, ...].
// Every misuse throws gf::Error naming the function and the shapes or values at fault.
#pragma once
#include <cstdint>

#include "gradflow/nn/activation_options.hpp"
#include "gradflow/nn/functional/batchnorm.hpp"
#include "gradflow/nn/functional/conv.hpp"
#include "gradflow/nn/functional/normalization.hpp"
#include "gradflow/nn/functional/dropout.hpp"
#include "gradflow/nn/functional/pool.hpp"
#include "gradflow/nn/functional/upsampling.hpp"
#include "gradflow/nn/reduction.hpp"
#include "gradflow/ops.hpp"
#include "gradflow/tensor.hpp"

namespace gf::nn::functional {

// y = x Wᵀ + b for weight [out, in], bias [out] (optional), x [..., in] -> y [..., out].
// 2-D input with bias is one addmm (AddmmBackward0); without bias one mm (MmBackward0).
Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias = {});

// Cross-entropy of logits (not probabilities) against class ids (Int64) or class probabilities
// (floating, same shape as logits): loss_i = logsumexp(z_i) − Σ_k t_ik z_ik. One fused, stable
// kernel; backward softmax(z) − t (seed 000/001). Mean divides by the number of samples.
Tensor cross_entropy(const Tensor& logits, const Tensor& target,
                     Reduction reduction = Reduction::Mean);

// Negative log-likelihood of log-probabilities: loss_i = −log_probs[i, target_i].
Tensor nll_loss(const Tensor& log_probs, const Tensor& target,
                Reduction reduction = Reduction::Mean);

// Squared error (input − target)², broadcasting like PyTorch; Mean divides by the element count.
Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction reduction = Reduction::Mean);

// −[y log σ(x) + (1 − y) log(1 − σ(x))], computed stably as max(x, 0) − x y + log(1 + e^−|x|).
// target must have the shape of logits.
Tensor binary_cross_entropy_with_logits(const Tensor& logits, const Tensor& target,
                                        Reduction reduction = Reduction::Mean);

// Int64 one-hot rows: shape class_ids.shape ++ [num_classes]; num_classes = -1 infers max + 1.
// Not differentiable.
Tensor one_hot(const Tensor& class_ids, int64_t num_classes = -1);

// The activations under their torch.nn.functional names: F::relu is gf::relu (the same function,
// brought in with using-declarations, so `using namespace` of both never makes a call ambiguous).
using gf::log_softmax;
using gf::relu;
using gf::sigmoid;
using gf::softmax;
using gf::tanh;

// ---- activations (src/nn/activations.cpp), torch.nn.functional's formulas, grad_fn names and
// conventions at the kinks; Bool / integer inputs promote to the default float dtype. Each
// backward is written with differentiable ops (double backward). `inplace` writes the result
// into the input when nothing needs its gradient (in-place ops are not recorded by autograd: an
// input that requires grad is refused). ----
// x > 0 ? x : negative_slope x; at 0 the gradient is negative_slope (LeakyReluBackward0).
Tensor leaky_relu(const Tensor& x, const LeakyReLUFuncOptions& options = {});
// x > 0 ? x : alpha (e^x - 1); at 0 the gradient is alpha (EluBackward0).
Tensor elu(const Tensor& x, const ELUFuncOptions& options = {});
// scale elu(x, alpha) with torch's constants (scale 1.0507..., alpha 1.6732...; EluBackward0).
Tensor selu(const Tensor& x, bool inplace = false);
// max(0, x) + min(0, alpha (e^(x/alpha) - 1)); at 0 the gradient is 1 (CeluBackward0).
Tensor celu(const Tensor& x, const CELUFuncOptions& options = {});
// x Φ(x) ("none") or the tanh approximation (GeluBackward0).
Tensor gelu(const Tensor& x, const GELUFuncOptions& options = {});
Tensor silu(const Tensor& x);  // x σ(x) (SiluBackward0)
Tensor mish(const Tensor& x);  // x tanh(softplus(x)) (MishBackward0)
// log(1 + e^(beta x)) / beta, x itself where beta x > threshold (SoftplusBackward0).
Tensor softplus(const Tensor& x, const SoftplusFuncOptions& options = {});
// x / (1 + |x|), composed like torch's (its grad_fn is DivBackward0).
Tensor softsign(const Tensor& x);
// clamp(x, min_val, max_val); the gradient is 0 at and beyond the bounds, like torch
// (HardtanhBackward0).
Tensor hardtanh(const Tensor& x, const HardtanhFuncOptions& options = {});
// relu6(x + 3) / 6; gradient 1/6 strictly inside (-3, 3), else 0 (HardsigmoidBackward0).
Tensor hardsigmoid(const Tensor& x);
// x relu6(x + 3) / 6; gradient 0 below -3, x/3 + 1/2 on [-3, 3], 1 above (HardswishBackward0).
Tensor hardswish(const Tensor& x);
Tensor relu6(const Tensor& x, bool inplace = false);  // hardtanh(x, 0, 6) (HardtanhBackward0)
// log σ(x) = min(x, 0) - log1p(e^-|x|), stable for large |x| (LogSigmoidBackward0).
Tensor logsigmoid(const Tensor& x);
// x > 0 ? x : weight x, weight [1] or [C] for channel dim 1 (PreluBackward0); at 0 the
// gradient is weight.
Tensor prelu(const Tensor& x, const Tensor& weight);
// a σ(b) for the two halves a, b of x along dim (GluBackward0); that size must be even.
Tensor glu(const Tensor& x, const GLUFuncOptions& options = {});

}  // namespace gf::nn::functional
