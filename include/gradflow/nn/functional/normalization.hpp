// Layer and group normalization, as torch.nn.functional / libtorch's F:: with their option
// structs:
//
//   namespace F = gf::nn::functional;
//   Tensor y = F::layer_norm(x, F::LayerNormFuncOptions({64}).weight(w).bias(b).eps(1e-5));
//   Tensor z = F::group_norm(x, F::GroupNormFuncOptions(4).weight(w).bias(b));
//
// layer_norm normalizes over the last normalized_shape.size() dims of x (which must equal
// normalized_shape); weight and bias, if given, have shape normalized_shape:
//   y = (x − mean) / √(var + eps) · weight + bias,   var biased (divides by the element count).
// group_norm takes x [N, C, *] and normalizes each of the num_groups groups of C / num_groups
// channels (with all their spatial positions) per sample; weight and bias have shape [C].
// grad_fn names are torch's (NativeLayerNormBackward0, NativeGroupNormBackward0); the saved
// tensors are the input, the weight and the per-row mean and 1/√(var + eps) (torch's result1,
// result2). The first backward is one fused kernel; under create_graph it is written with
// differentiable ops (the statistics recomputed from the input), so double backward works.
#pragma once
#include <cstdint>
#include <vector>

#include "gradflow/nn/expanding_array.hpp"
#include "gradflow/tensor.hpp"

namespace gf::nn::functional {

struct LayerNormFuncOptions {
  LayerNormFuncOptions(std::vector<int64_t> normalized_shape)  // NOLINT: implicit like libtorch
      : normalized_shape_(std::move(normalized_shape)) {}
  GF_NN_ARG(std::vector<int64_t>, normalized_shape);
  GF_NN_ARG(Tensor, weight);
  GF_NN_ARG(Tensor, bias);
  GF_NN_ARG(double, eps) = 1e-5;
};

struct GroupNormFuncOptions {
  GroupNormFuncOptions(int64_t num_groups) : num_groups_(num_groups) {}  // NOLINT
  GF_NN_ARG(int64_t, num_groups);
  GF_NN_ARG(Tensor, weight);
  GF_NN_ARG(Tensor, bias);
  GF_NN_ARG(double, eps) = 1e-5;
};

Tensor layer_norm(const Tensor& input, const LayerNormFuncOptions& options);
Tensor group_norm(const Tensor& input, const GroupNormFuncOptions& options);

}  // namespace gf::nn::functional
