// gf::optim::Adam and AdamW, exactly PyTorch 1.13's updates (torch/optim/adam.py, adamw.py).
// Per parameter, with t the step count (from 1):
//   Adam:  g = g + weight_decay · p                    (L2 penalty folded into the gradient)
//   AdamW: p = p · (1 − lr · weight_decay)             (decoupled weight decay)
//   m = β₁ m + (1 − β₁) g,   v = β₂ v + (1 − β₂) g²
//   v̂ = amsgrad ? (vmax = max(vmax, v)) : v
//   denom = √v̂ / √(1 − β₂ᵗ) + eps
//   p = p − (lr / (1 − β₁ᵗ)) · m / denom
#pragma once

#include <utility>

#include "gradflow/optim/optimizer.hpp"

namespace gf::optim {

using Betas = std::pair<double, double>;  // (β₁, β₂)

class AdamOptions : public OptimizerOptions {
 public:
  explicit AdamOptions(double lr = 1e-3) : lr_(lr) {}
  GF_OPTIM_ARG(AdamOptions, double, lr, 1e-3)
  GF_OPTIM_ARG(AdamOptions, Betas, betas, (Betas{0.9, 0.999}))
  GF_OPTIM_ARG(AdamOptions, double, eps, 1e-8)
  GF_OPTIM_ARG(AdamOptions, double, weight_decay, 0.0)
  GF_OPTIM_ARG(AdamOptions, bool, amsgrad, false)
  GF_OPTIM_ARG(AdamOptions, bool, maximize, false)

 public:
  std::unique_ptr<OptimizerOptions> clone() const override {
    return std::make_unique<AdamOptions>(*this);
  }
  double get_lr() const override { return lr_; }
  void set_lr(double lr) override { lr_ = lr; }
};

class AdamWOptions : public OptimizerOptions {
 public:
  explicit AdamWOptions(double lr = 1e-3) : lr_(lr) {}
  GF_OPTIM_ARG(AdamWOptions, double, lr, 1e-3)
  GF_OPTIM_ARG(AdamWOptions, Betas, betas, (Betas{0.9, 0.999}))
  GF_OPTIM_ARG(AdamWOptions, double, eps, 1e-8)
  GF_OPTIM_ARG(AdamWOptions, double, weight_decay, 1e-2)
  GF_OPTIM_ARG(AdamWOptions, bool, amsgrad, false)
  GF_OPTIM_ARG(AdamWOptions, bool, maximize, false)

 public:
  std::unique_ptr<OptimizerOptions> clone() const override {
    return std::make_unique<AdamWOptions>(*this);
  }
  double get_lr() const override { return lr_; }
  void set_lr(double lr) override { lr_ = lr; }
};

class Adam : public Optimizer {
 public:
  Adam(std::vector<Tensor> params, const AdamOptions& defaults = AdamOptions());
  Adam(std::vector<OptimizerParamGroup> groups, const AdamOptions& defaults = AdamOptions());
  void step() override;
};

class AdamW : public Optimizer {
 public:
  AdamW(std::vector<Tensor> params, const AdamWOptions& defaults = AdamWOptions());
  AdamW(std::vector<OptimizerParamGroup> groups, const AdamWOptions& defaults = AdamWOptions());
  void step() override;
};

}  // namespace gf::optim
