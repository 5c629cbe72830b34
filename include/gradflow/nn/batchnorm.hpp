// Batch-normalization modules with libtorch's options, torch's buffers and printing:
//
//   gf::nn::BatchNorm2d bn(64);   // or BatchNorm2d(gf::nn::BatchNorm2dOptions(64).momentum(0.01))
//   std::cout << bn;   // BatchNorm2d(64, eps=1e-05, momentum=0.1, affine=True,
//   track_running_stats=True)
//
// Parameters "weight" (ones) and "bias" (zeros) when affine; buffers "running_mean" (zeros),
// "running_var" (ones) and "num_batches_tracked" (Int64 0-d, 0) when track_running_stats — the
// state_dict keys of torch. forward is torch's _BatchNorm.forward: in train() mode it normalizes
// with the batch's statistics, counts the batch and updates the running statistics (momentum,
// or the cumulative average 1/num_batches_tracked when momentum is nullopt); in eval() mode it
// uses the running statistics (the batch's when track_running_stats is false).
// BatchNorm1d takes [N, C] or [N, C, L], BatchNorm2d [N, C, H, W], BatchNorm3d [N, C, D, H, W].
#pragma once
#include <cstdint>
#include <optional>

#include "gradflow/nn/expanding_array.hpp"
#include "gradflow/nn/module.hpp"

namespace gf::nn {

struct BatchNormOptions {
  BatchNormOptions(int64_t num_features) : num_features_(num_features) {}  // NOLINT: libtorch
  GF_NN_ARG(int64_t, num_features);
  GF_NN_ARG(double, eps) = 1e-5;
  GF_NN_ARG(std::optional<double>, momentum) = 0.1;
  GF_NN_ARG(bool, affine) = true;
  GF_NN_ARG(bool, track_running_stats) = true;
  GF_NN_ARG(DType, dtype) = default_dtype();
};
using BatchNorm1dOptions = BatchNormOptions;
using BatchNorm2dOptions = BatchNormOptions;
using BatchNorm3dOptions = BatchNormOptions;

class BatchNormBase : public Module {
 public:
  Tensor forward(const Tensor& input) override;
  void reset_running_stats();  // running_mean 0, running_var 1, num_batches_tracked 0
  void reset_parameters();     // the running statistics, then weight 1 and bias 0
  // "64, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True"
  std::string extra_repr() const override;
  const BatchNormOptions& options() const { return options_; }

  Tensor weight, bias;                                    // undefined unless affine
  Tensor running_mean, running_var, num_batches_tracked;  // undefined unless tracked

 protected:
  BatchNormBase(const char* type_name, const BatchNormOptions& options);
  // "expected 4D input (got 3D input)", as torch's _check_input_dim.
  virtual void check_input_dim(const Tensor& input) const = 0;

 private:
  BatchNormOptions options_;
};

class BatchNorm1d : public BatchNormBase {
 public:
  explicit BatchNorm1d(const BatchNormOptions& options) : BatchNormBase("BatchNorm1d", options) {}
  explicit BatchNorm1d(int64_t num_features) : BatchNorm1d(BatchNormOptions(num_features)) {}

 protected:
  void check_input_dim(const Tensor& input) const override;
};

class BatchNorm2d : public BatchNormBase {
 public:
  explicit BatchNorm2d(const BatchNormOptions& options) : BatchNormBase("BatchNorm2d", options) {}
  explicit BatchNorm2d(int64_t num_features) : BatchNorm2d(BatchNormOptions(num_features)) {}

 protected:
  void check_input_dim(const Tensor& input) const override;
};

class BatchNorm3d : public BatchNormBase {
 public:
  explicit BatchNorm3d(const BatchNormOptions& options) : BatchNormBase("BatchNorm3d", options) {}
  explicit BatchNorm3d(int64_t num_features) : BatchNorm3d(BatchNormOptions(num_features)) {}

 protected:
  void check_input_dim(const Tensor& input) const override;
};

}  // namespace gf::nn
