// Gradient clipping (torch/nn/utils/clip_grad.py, PyTorch 1.13), on the raw .grad buffers.
#include "gradflow/nn/utils.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace gf::nn::utils {

namespace {
// p-norm of one gradient (p = inf: max |g|), accumulated in double.
double grad_norm(const Tensor& g, double p) {
  Tensor c = g.contiguous();
  double acc = 0;
  dispatch_floating(c.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* x = c.data_ptr<T>();
    int64_t n = c.numel();
    if (std::isinf(p)) {
      for (int64_t i = 0; i < n; ++i) acc = std::max(acc, static_cast<double>(std::fabs(x[i])));
    } else if (p == 2) {
      for (int64_t i = 0; i < n; ++i) acc += static_cast<double>(x[i]) * x[i];
    } else {
      for (int64_t i = 0; i < n; ++i) acc += std::pow(std::fabs(static_cast<double>(x[i])), p);
    }
  });
  if (std::isinf(p)) return acc;
  return p == 2 ? std::sqrt(acc) : std::pow(acc, 1.0 / p);
}

void scale_in_place(Tensor g, double s) {
  GF_CHECK(g.is_contiguous(), "clip_grad_norm_: gradients must be contiguous");
  dispatch_floating(g.dtype(), [&](auto tag) {
    using T = decltype(tag);
    T* x = g.data_ptr<T>();
    const T c = static_cast<T>(s);
    for (int64_t i = 0, n = g.numel(); i < n; ++i) x[i] *= c;
  });
}
}  // namespace

// total = ‖(‖g₁‖ₚ, ..., ‖gₖ‖ₚ)‖ₚ;  g ← g · min(max_norm / (total + 1e-6), 1)
double clip_grad_norm_(const std::vector<Tensor>& parameters, double max_norm, double norm_type,
                       bool error_if_nonfinite) {
  std::vector<Tensor> grads;
  for (const Tensor& p : parameters)
    if (p.defined() && p.grad().defined()) grads.push_back(p.grad());
  if (grads.empty()) return 0.0;
  double total = 0;
  if (std::isinf(norm_type)) {
    for (const Tensor& g : grads) total = std::max(total, grad_norm(g, norm_type));
  } else {
    for (const Tensor& g : grads) total += std::pow(grad_norm(g, norm_type), norm_type);
    total = std::pow(total, 1.0 / norm_type);
  }
  GF_CHECK(!error_if_nonfinite || std::isfinite(total), "clip_grad_norm_: the total norm of order ",
           norm_type, " for gradients from `parameters` is non-finite, so it cannot be clipped");
  double coef = std::min(max_norm / (total + 1e-6), 1.0);
  if (coef < 1.0 || std::isnan(coef))
    for (const Tensor& g : grads) scale_in_place(g, coef);
  return total;
}

double clip_grad_norm_(const Tensor& parameter, double max_norm, double norm_type,
                       bool error_if_nonfinite) {
  return clip_grad_norm_(std::vector<Tensor>{parameter}, max_norm, norm_type, error_if_nonfinite);
}

void clip_grad_value_(const std::vector<Tensor>& parameters, double clip_value) {
  for (const Tensor& p : parameters) {
    if (!p.defined() || !p.grad().defined()) continue;
    Tensor g = p.grad();
    GF_CHECK(g.is_contiguous(), "clip_grad_value_: gradients must be contiguous");
    dispatch_floating(g.dtype(), [&](auto tag) {
      using T = decltype(tag);
      T* x = g.data_ptr<T>();
      const T hi = static_cast<T>(clip_value), lo = -hi;
      for (int64_t i = 0, n = g.numel(); i < n; ++i) x[i] = std::clamp(x[i], lo, hi);
    });
  }
}

}  // namespace gf::nn::utils
