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

#include "gradflow/nn/functional/conv.hpp"
#include "gradflow/nn/functional/pool.hpp"
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

}  // namespace gf::nn::functional
