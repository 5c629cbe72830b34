// gf::nn::Dropout — inverted dropout like torch.nn.Dropout: in training mode each element is
// zeroed with probability p (drawn from the default generator) and the survivors are scaled by
// 1/(1-p), so the expected value is unchanged; in eval() mode it is the identity.
// gf::nn::Dropout2d — torch.nn.Dropout2d: the same for whole channels of [N, C, H, W] (one draw
// per sample and channel; functional/dropout.hpp's dropout2d).
#pragma once

#include "gradflow/nn/module.hpp"

namespace gf::nn {

// The functional form: `training` false (or p == 0) returns input unchanged.
Tensor dropout(const Tensor& input, double p = 0.5, bool training = true);

class Dropout : public Module {
 public:
  explicit Dropout(double p = 0.5);  // throws gf::Error unless 0 <= p <= 1
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;  // "p=0.5, inplace=False"
  double p() const { return p_; }

 private:
  double p_;
};

class Dropout2d : public Module {
 public:
  explicit Dropout2d(double p = 0.5);  // throws gf::Error unless 0 <= p <= 1
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;  // "p=0.5, inplace=False"
  double p() const { return p_; }

 private:
  double p_;
};

}  // namespace gf::nn
