// gf::optim::SGD — stochastic gradient descent with momentum, dampening, Nesterov momentum and
// L2 weight decay, exactly PyTorch 1.13's update (torch/optim/sgd.py):
//   d = g + weight_decay · p
//   buf = d                                   (first step: no dampening)
//   buf = momentum · buf + (1 − dampening) · d (later steps)
//   d = nesterov ? d + momentum · buf : buf    (when momentum ≠ 0)
//   p = p − lr · d
#pragma once

#include "gradflow/optim/optimizer.hpp"

namespace gf::optim {

class SGDOptions : public OptimizerOptions {
 public:
  explicit SGDOptions(double lr) : lr_(lr) {}
  GF_OPTIM_ARG(SGDOptions, double, lr, 0.0)
  GF_OPTIM_ARG(SGDOptions, double, momentum, 0.0)
  GF_OPTIM_ARG(SGDOptions, double, dampening, 0.0)
  GF_OPTIM_ARG(SGDOptions, double, weight_decay, 0.0)
  GF_OPTIM_ARG(SGDOptions, bool, nesterov, false)
  GF_OPTIM_ARG(SGDOptions, bool, maximize, false)

 public:
  std::unique_ptr<OptimizerOptions> clone() const override {
    return std::make_unique<SGDOptions>(*this);
  }
  double get_lr() const override { return lr_; }
  void set_lr(double lr) override { lr_ = lr; }
};

class SGD : public Optimizer {
 public:
  // Throws gf::Error for a negative lr/momentum/weight_decay, or nesterov without momentum or
  // with dampening (PyTorch's checks and wording).
  SGD(std::vector<Tensor> params, const SGDOptions& defaults);
  SGD(std::vector<OptimizerParamGroup> groups, const SGDOptions& defaults);
  void step() override;
};

}  // namespace gf::optim
