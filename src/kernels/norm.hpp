// Normalization kernels (layer_norm, group_norm) on a contiguous input seen as [rows, K]: each
// row is normalized by its own mean and biased variance, then scaled and shifted per channel.
// The channel of element k of row r is (r % groups)·(K / inner) + k / inner:
//   layer_norm: groups = 1, inner = 1       (weight and bias have the row's K elements)
//   group_norm: groups = G, inner = H·W...  (weight and bias have C = G·(K / inner) elements)
// Statistics accumulate in double; rows are spread over OpenMP threads above the threshold.
#pragma once
#include <cstdint>

#include "gradflow/tensor.hpp"

namespace gf::kernels {

struct NormGeometry {
  int64_t rows = 0, K = 0, groups = 1, inner = 1;
};

// mean[r] = Σ_k x / K, rstd[r] = 1 / √(Σ_k (x − mean)² / K + eps),
// y = (x − mean)·rstd·weight[c] + bias[c] (weight, bias optional: undefined tensors).
void norm_forward(const Tensor& x, const Tensor& weight, const Tensor& bias, double eps,
                  const NormGeometry& g, Tensor& y, Tensor& mean, Tensor& rstd);

// The first derivative in one pass (x̂ = (x − mean)·rstd, ĝ = gy·weight[c]):
//   gx = rstd·(ĝ − mean_k(ĝ) − x̂·mean_k(ĝ·x̂)),  gweight[c] = Σ gy·x̂,  gbias[c] = Σ gy
// over the rows and elements of channel c. Each output is written only when defined.
void norm_backward(const Tensor& gy, const Tensor& x, const Tensor& mean, const Tensor& rstd,
                   const Tensor& weight, const NormGeometry& g, Tensor& gx, Tensor& gweight,
                   Tensor& gbias);

}  // namespace gf::kernels
