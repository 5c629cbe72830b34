// Batch normalization, as torch.nn.functional.batch_norm / libtorch's F::batch_norm:
//
//   namespace F = gf::nn::functional;
//   Tensor y = F::batch_norm(x, running_mean, running_var,
//                            F::BatchNormFuncOptions().weight(w).bias(b).training(true));
//
// x is [N, C, *]; the statistics are per channel c, over the N·∏* elements of that channel:
//   y = (x − μ_c) / √(σ²_c + eps) · weight_c + bias_c.
// training: μ, σ² are the batch's mean and biased variance; running_mean and running_var (if
//   given, [C] each) are updated in place with torch's momentum and the UNBIASED variance:
//     running_mean ← (1 − momentum)·running_mean + momentum·μ
//     running_var  ← (1 − momentum)·running_var  + momentum·σ²·M / (M − 1),  M = N·∏*.
// eval (training false, libtorch's default): μ, σ² are running_mean, running_var (required).
// grad_fn NativeBatchNormBackward0, saving torch's input, weight, running_mean, running_var and
// (training) result1 = μ, result2 = 1/√(σ² + eps). The first backward is one fused pass per
// channel; under create_graph it is written with differentiable ops (the batch statistics
// recomputed from the input), so double backward works. Running statistics get no gradient.
#pragma once
#include <optional>

#include "gradflow/nn/expanding_array.hpp"
#include "gradflow/tensor.hpp"

namespace gf::nn::functional {

struct BatchNormFuncOptions {
  GF_NN_ARG(Tensor, weight);
  GF_NN_ARG(Tensor, bias);
  GF_NN_ARG(bool, training) = false;
  GF_NN_ARG(std::optional<double>, momentum) = 0.1;
  GF_NN_ARG(double, eps) = 1e-5;
};

Tensor batch_norm(const Tensor& input, const Tensor& running_mean, const Tensor& running_var,
                  const BatchNormFuncOptions& options = {});

}  // namespace gf::nn::functional
