// Batch-normalization loops on a contiguous input seen as [N, C, S] (S = the product of the
// spatial dims, 1 for [N, C]): one mean and one biased variance per channel, over its N·S
// elements; statistics accumulate in double; channels (or rows of a channel) spread over threads.
#pragma once
#include <cstdint>

#include "gradflow/tensor.hpp"

namespace gf::kernels {

struct BatchNormGeometry {
  int64_t N = 0, C = 0, S = 1;
};

// mean[c] = Σ x / (N·S), var[c] = Σ (x − mean)² / (N·S) (biased: what normalizes the batch).
void batch_norm_stats(const Tensor& x, const BatchNormGeometry& g, Tensor& mean, Tensor& var);

// y = (x − mean[c])·invstd[c]·weight[c] + bias[c] (weight, bias optional: undefined tensors).
void batch_norm_apply(const Tensor& x, const Tensor& mean, const Tensor& invstd,
                      const Tensor& weight, const Tensor& bias, const BatchNormGeometry& g,
                      Tensor& y);

// The first derivative in one pass per channel (x̂ = (x − mean)·invstd, M = N·S):
//   training: gx = invstd·w·(gy − Σgy / M − x̂·Σ(gy·x̂) / M)
//   eval (statistics are constants): gx = invstd·w·gy
//   gweight[c] = Σ gy·x̂, gbias[c] = Σ gy. Each output is written only when defined.
void batch_norm_backward(const Tensor& gy, const Tensor& x, const Tensor& mean,
                         const Tensor& invstd, const Tensor& weight, bool training,
                         const BatchNormGeometry& g, Tensor& gx, Tensor& gweight, Tensor& gbias);

}  // namespace gf::kernels
