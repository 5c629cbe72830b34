// Pooling modules with libtorch's option classes and torch's printing:
//
//   gf::nn::MaxPool2d pool(gf::nn::MaxPool2dOptions(3).stride(2));
//   std::cout << pool;  // MaxPool2d(kernel_size=3, stride=2, padding=0, dilation=1,
//   ceil_mode=False) gf::nn::AdaptiveAvgPool2d avg(gf::nn::AdaptiveAvgPool2dOptions({6, 6}));  //
//   output_size=(6, 6)
//
// Sizes print as given (one int, or a tuple), as torch prints the module's arguments.
#pragma once
#include "gradflow/nn/functional/pool.hpp"
#include "gradflow/nn/module.hpp"

namespace gf::nn {

using MaxPool2dOptions = functional::MaxPool2dFuncOptions;
using AvgPool2dOptions = functional::AvgPool2dFuncOptions;
using AdaptiveAvgPool2dOptions = functional::AdaptiveAvgPool2dFuncOptions;
using AdaptiveMaxPool2dOptions = functional::AdaptiveMaxPool2dFuncOptions;

class MaxPool2d : public Module {
 public:
  explicit MaxPool2d(const MaxPool2dOptions& options) : Module("MaxPool2d"), options_(options) {}
  Tensor forward(const Tensor& input) override;
  std::tuple<Tensor, Tensor> forward_with_indices(const Tensor& input);
  // "kernel_size=3, stride=2, padding=0, dilation=1, ceil_mode=False"
  std::string extra_repr() const override;
  const MaxPool2dOptions& options() const { return options_; }

 private:
  MaxPool2dOptions options_;
};

class AvgPool2d : public Module {
 public:
  explicit AvgPool2d(const AvgPool2dOptions& options) : Module("AvgPool2d"), options_(options) {}
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;  // "kernel_size=2, stride=2, padding=0"
  const AvgPool2dOptions& options() const { return options_; }

 private:
  AvgPool2dOptions options_;
};

class AdaptiveAvgPool2d : public Module {
 public:
  explicit AdaptiveAvgPool2d(const AdaptiveAvgPool2dOptions& options)
      : Module("AdaptiveAvgPool2d"), options_(options) {}
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;  // "output_size=(6, 6)"
  const AdaptiveAvgPool2dOptions& options() const { return options_; }

 private:
  AdaptiveAvgPool2dOptions options_;
};

class AdaptiveMaxPool2d : public Module {
 public:
  explicit AdaptiveMaxPool2d(const AdaptiveMaxPool2dOptions& options)
      : Module("AdaptiveMaxPool2d"), options_(options) {}
  Tensor forward(const Tensor& input) override;
  std::tuple<Tensor, Tensor> forward_with_indices(const Tensor& input);
  std::string extra_repr() const override;  // "output_size=(6, 6)"
  const AdaptiveMaxPool2dOptions& options() const { return options_; }

 private:
  AdaptiveMaxPool2dOptions options_;
};

}  // namespace gf::nn
