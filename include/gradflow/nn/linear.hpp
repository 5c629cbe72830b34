// gf::nn::Linear — y = x Wᵀ + b, like torch.nn.Linear.
#pragma once
#include <cstdint>

#include "gradflow/nn/module.hpp"

namespace gf::nn {

class Linear : public Module {
 public:
  // weight: [out_features, in_features], bias: [out_features], both in default_dtype() (or
  // `dtype`), initialised like PyTorch: uniform in ±1/√in_features (kaiming_uniform_ with a=√5
  // reduces to that bound), drawn from the default generator (weight first, then bias).
  Linear(int64_t in_features, int64_t out_features, bool bias = true,
         DType dtype = default_dtype());

  // x: [..., in_features] -> [..., out_features] via nn::functional::linear (AddmmBackward0 for
  // 2-D input). Throws gf::Error naming both shapes when the last dim is not in_features.
  Tensor forward(const Tensor& input) override;
  void reset_parameters();
  std::string extra_repr() const override;  // "in_features=5, out_features=3, bias=True"

  int64_t in_features() const { return in_features_; }
  int64_t out_features() const { return out_features_; }

  Tensor weight;  // shares its impl with the registered parameter "weight"
  Tensor bias;    // undefined when constructed with bias=false

 private:
  int64_t in_features_, out_features_;
};

}  // namespace gf::nn
