// gf::nn::utils — gradient clipping, as torch.nn.utils.clip_grad_norm_ / clip_grad_value_.
#pragma once
#include <vector>

#include "gradflow/tensor.hpp"

namespace gf::nn::utils {

// Scales every defined .grad in place so that their joint norm is at most max_norm and returns
// the total norm before clipping (PyTorch 1.13's formula):
//   total = ‖(‖g₁‖ₚ, ‖g₂‖ₚ, ...)‖ₚ   (p = norm_type; p = inf gives max |g|)
//   coef  = min(max_norm / (total + 1e-6), 1);  g ← g · coef
// Parameters without a gradient are skipped; no gradients at all returns 0.
// With error_if_nonfinite, a NaN/inf total throws gf::Error.
double clip_grad_norm_(const std::vector<Tensor>& parameters, double max_norm,
                       double norm_type = 2.0, bool error_if_nonfinite = false);
double clip_grad_norm_(const Tensor& parameter, double max_norm, double norm_type = 2.0,
                       bool error_if_nonfinite = false);

// Clamps every defined .grad to [-clip_value, clip_value] in place.
void clip_grad_value_(const std::vector<Tensor>& parameters, double clip_value);

}  // namespace gf::nn::utils
