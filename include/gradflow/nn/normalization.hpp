// LayerNorm and GroupNorm modules with libtorch's option classes and torch's printing:
//
//   gf::nn::LayerNorm ln(gf::nn::LayerNormOptions({64}).eps(1e-5));
//   std::cout << ln;   // LayerNorm((64,), eps=1e-05, elementwise_affine=True)
//   gf::nn::GroupNorm gn(gf::nn::GroupNormOptions(4, 64));
//   std::cout << gn;   // GroupNorm(4, 64, eps=1e-05, affine=True)
//
// Parameters "weight" (ones) and "bias" (zeros), as torch initialises them: shape
// normalized_shape for LayerNorm, [num_channels] for GroupNorm; none with
// elementwise_affine(false) / affine(false). forward calls nn::functional.
#pragma once
#include <cstdint>
#include <vector>

#include "gradflow/dtype.hpp"
#include "gradflow/nn/functional/normalization.hpp"
#include "gradflow/nn/module.hpp"

namespace gf::nn {

struct LayerNormOptions {
  LayerNormOptions(std::vector<int64_t> normalized_shape)  // NOLINT: implicit like libtorch
      : normalized_shape_(std::move(normalized_shape)) {}
  GF_NN_ARG(std::vector<int64_t>, normalized_shape);
  GF_NN_ARG(double, eps) = 1e-5;
  GF_NN_ARG(bool, elementwise_affine) = true;
  GF_NN_ARG(DType, dtype) = default_dtype();
};

struct GroupNormOptions {
  GroupNormOptions(int64_t num_groups, int64_t num_channels)
      : num_groups_(num_groups), num_channels_(num_channels) {}
  GF_NN_ARG(int64_t, num_groups);
  GF_NN_ARG(int64_t, num_channels);
  GF_NN_ARG(double, eps) = 1e-5;
  GF_NN_ARG(bool, affine) = true;
  GF_NN_ARG(DType, dtype) = default_dtype();
};

class LayerNorm : public Module {
 public:
  explicit LayerNorm(const LayerNormOptions& options);
  Tensor forward(const Tensor& input) override;
  void reset_parameters();                  // weight = 1, bias = 0
  std::string extra_repr() const override;  // "(64,), eps=1e-05, elementwise_affine=True"
  const LayerNormOptions& options() const { return options_; }

  Tensor weight;  // normalized_shape; undefined without elementwise_affine
  Tensor bias;

 private:
  LayerNormOptions options_;
};

class GroupNorm : public Module {
 public:
  explicit GroupNorm(const GroupNormOptions& options);
  GroupNorm(int64_t num_groups, int64_t num_channels)
      : GroupNorm(GroupNormOptions(num_groups, num_channels)) {}
  Tensor forward(const Tensor& input) override;
  void reset_parameters();                  // weight = 1, bias = 0
  std::string extra_repr() const override;  // "4, 64, eps=1e-05, affine=True"
  const GroupNormOptions& options() const { return options_; }

  Tensor weight;  // [num_channels]; undefined without affine
  Tensor bias;

 private:
  GroupNormOptions options_;
};

}  // namespace gf::nn
