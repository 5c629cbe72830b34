// Activation modules: ReLU, Sigmoid, Tanh, Softmax(dim), LogSoftmax(dim), and libtorch's
// LeakyReLU, ELU, SELU, CELU, GELU, SiLU, Mish, Softplus, Softsign, Hardtanh, Hardsigmoid,
// Hardswish, ReLU6, LogSigmoid, PReLU (one parameter "weight"), GLU with their option classes
// (nn/activation_options.hpp). Each forward calls the function of the same name; printing is
// PyTorch's ("LeakyReLU(negative_slope=0.01)", "GELU(approximate='none')").
#pragma once
#include <cstdint>

#include "gradflow/nn/activation_options.hpp"
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

class LeakyReLU : public Module {
 public:
  explicit LeakyReLU(const LeakyReLUOptions& options_ = {}) : Module("LeakyReLU"), options(options_) {}
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;  // "negative_slope=0.01"
  LeakyReLUOptions options;
};

class ELU : public Module {
 public:
  explicit ELU(const ELUOptions& options_ = {}) : Module("ELU"), options(options_) {}
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;  // "alpha=1.0"
  ELUOptions options;
};

class SELU : public Module {
 public:
  explicit SELU(const SELUOptions& options_ = {}) : Module("SELU"), options(options_) {}
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;  // "" (", inplace=True" when set)
  SELUOptions options;
};

class CELU : public Module {
 public:
  explicit CELU(const CELUOptions& options_ = {}) : Module("CELU"), options(options_) {}
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;  // "alpha=1.0"
  CELUOptions options;
};

class GELU : public Module {
 public:
  explicit GELU(const GELUOptions& options_ = {}) : Module("GELU"), options(options_) {}
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;  // "approximate='none'"
  GELUOptions options;
};

class SiLU : public Module {
 public:
  SiLU() : Module("SiLU") {}
  Tensor forward(const Tensor& input) override;
};

class Mish : public Module {
 public:
  Mish() : Module("Mish") {}
  Tensor forward(const Tensor& input) override;
};

class Softplus : public Module {
 public:
  explicit Softplus(const SoftplusOptions& options_ = {}) : Module("Softplus"), options(options_) {}
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;  // "beta=1, threshold=20"
  SoftplusOptions options;
};

class Softsign : public Module {
 public:
  Softsign() : Module("Softsign") {}
  Tensor forward(const Tensor& input) override;
};

class Hardtanh : public Module {
 public:
  explicit Hardtanh(const HardtanhOptions& options_ = {}) : Module("Hardtanh"), options(options_) {}
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;  // "min_val=-1.0, max_val=1.0"
  HardtanhOptions options;
};

class Hardsigmoid : public Module {
 public:
  Hardsigmoid() : Module("Hardsigmoid") {}
  Tensor forward(const Tensor& input) override;
};

class Hardswish : public Module {
 public:
  Hardswish() : Module("Hardswish") {}
  Tensor forward(const Tensor& input) override;
};

class ReLU6 : public Module {
 public:
  explicit ReLU6(const ReLU6Options& options_ = {}) : Module("ReLU6"), options(options_) {}
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;  // "" (", inplace=True" when set)
  ReLU6Options options;
};

class LogSigmoid : public Module {
 public:
  LogSigmoid() : Module("LogSigmoid") {}
  Tensor forward(const Tensor& input) override;
};

// weight: [num_parameters] filled with `init` (0.25), in default_dtype() (PReLU(num_parameters=1)).
class PReLU : public Module {
 public:
  explicit PReLU(const PReLUOptions& options_ = {});
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;  // "num_parameters=1"
  PReLUOptions options;
  Tensor weight;
};

class GLU : public Module {
 public:
  explicit GLU(const GLUOptions& options_ = {}) : Module("GLU"), options(options_) {}
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;  // "dim=-1"
  GLUOptions options;
};

}  // namespace gf::nn
