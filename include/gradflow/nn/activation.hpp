// Activation modules (no parameters): ReLU, Sigmoid, Tanh, Softmax(dim), LogSoftmax(dim).
// Each forward calls the op of the same name in ops.hpp.
#pragma once
#include <cstdint>

#include "gradflow/nn/module.hpp"

namespace gf::nn {

class ReLU : public Module {
 public:
  // inplace only changes the printing ("ReLU(inplace=True)", as torchvision's models print);
  // the result is always a new tensor (the same values and gradients).
  explicit ReLU(bool inplace = false) : Module("ReLU"), inplace_(inplace) {}
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override { return inplace_ ? "inplace=True" : ""; }
  bool inplace() const { return inplace_; }

 private:
  bool inplace_ = false;
};

class Sigmoid : public Module {
 public:
  Sigmoid() : Module("Sigmoid") {}
  Tensor forward(const Tensor& input) override;
};

class Tanh : public Module {
 public:
  Tanh() : Module("Tanh") {}
  Tensor forward(const Tensor& input) override;
};

class Softmax : public Module {
 public:
  explicit Softmax(int64_t dim) : Module("Softmax"), dim_(dim) {}
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;  // "dim=1"
  int64_t dim() const { return dim_; }

 private:
  int64_t dim_;
};

class LogSoftmax : public Module {
 public:
  explicit LogSoftmax(int64_t dim) : Module("LogSoftmax"), dim_(dim) {}
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;  // "dim=1"
  int64_t dim() const { return dim_; }

 private:
  int64_t dim_;
};

}  // namespace gf::nn
