// Pooling, as torch.nn.functional / libtorch's F:: with their option structs:
//
//   namespace F = gf::nn::functional;
//   Tensor y = F::max_pool2d(x, F::MaxPool2dFuncOptions(3).stride(2));   // stride: the kernel
//   auto [v, i] = F::max_pool2d_with_indices(x, F::MaxPool2dFuncOptions({2, 3}).ceil_mode(true));
//   Tensor a = F::avg_pool2d(x, F::AvgPool2dFuncOptions(2).count_include_pad(false));
//   Tensor s = F::adaptive_avg_pool2d(x, F::AdaptiveAvgPool2dFuncOptions({6, 6}));
//
// Input [N, C, H, W] or unbatched [C, H, W]. Output size per dim (torch's pooling_output_shape):
//   out = ⌊(in + 2·pad − dilation·(k − 1) − 1 + (ceil_mode ? stride − 1 : 0)) / stride⌋ + 1,
//   minus one in ceil mode when the last window would start in the right padding.
// Adaptive pools: output cell o covers [⌊o·in/out⌋, ⌈(o+1)·in/out⌉). Max pools return Int64
// indices into each H·W plane (torch's); NaN wins a window, ties keep the first. Backward:
// max pools route the gradient to the argmax, average pools spread it over the window; both are
// differentiable again. grad_fn names are torch's (MaxPool2DWithIndicesBackward0,
// AvgPool2DBackward0, AdaptiveAvgPool2DBackward0, AdaptiveMaxPool2DBackward0).
#pragma once
#include <optional>
#include <tuple>

#include "gradflow/nn/expanding_array.hpp"
#include "gradflow/tensor.hpp"

namespace gf::nn::functional {

struct MaxPool2dFuncOptions {
  MaxPool2dFuncOptions(ExpandingArray<2> kernel_size)  // NOLINT: implicit like libtorch
      : kernel_size_(kernel_size), stride_(kernel_size) {}
  // One int or {h, w} directly: F::max_pool2d(x, 2), F::avg_pool2d(x, {2, 3}).
  MaxPool2dFuncOptions(int64_t kernel_size)
      : MaxPool2dFuncOptions(ExpandingArray<2>(kernel_size)) {}     // NOLINT
  MaxPool2dFuncOptions(std::initializer_list<int64_t> kernel_size)  // NOLINT
      : MaxPool2dFuncOptions(ExpandingArray<2>(kernel_size)) {}
  GF_NN_ARG(ExpandingArray<2>, kernel_size);
  GF_NN_ARG(ExpandingArray<2>, stride);
  GF_NN_ARG(ExpandingArray<2>, padding) = 0;
  GF_NN_ARG(ExpandingArray<2>, dilation) = 1;
  GF_NN_ARG(bool, ceil_mode) = false;
};

struct AvgPool2dFuncOptions {
  AvgPool2dFuncOptions(ExpandingArray<2> kernel_size)  // NOLINT: implicit like libtorch
      : kernel_size_(kernel_size), stride_(kernel_size) {}
  // One int or {h, w} directly: F::max_pool2d(x, 2), F::avg_pool2d(x, {2, 3}).
  AvgPool2dFuncOptions(int64_t kernel_size)
      : AvgPool2dFuncOptions(ExpandingArray<2>(kernel_size)) {}     // NOLINT
  AvgPool2dFuncOptions(std::initializer_list<int64_t> kernel_size)  // NOLINT
      : AvgPool2dFuncOptions(ExpandingArray<2>(kernel_size)) {}
  GF_NN_ARG(ExpandingArray<2>, kernel_size);
  GF_NN_ARG(ExpandingArray<2>, stride);
  GF_NN_ARG(ExpandingArray<2>, padding) = 0;
  GF_NN_ARG(bool, ceil_mode) = false;
  GF_NN_ARG(bool, count_include_pad) = true;
  GF_NN_ARG(std::optional<int64_t>, divisor_override);
};

struct AdaptiveAvgPool2dFuncOptions {
  AdaptiveAvgPool2dFuncOptions(ExpandingArray<2> output_size)  // NOLINT
      : output_size_(output_size) {}
  AdaptiveAvgPool2dFuncOptions(int64_t output_size)  // NOLINT
      : output_size_(output_size) {}
  AdaptiveAvgPool2dFuncOptions(std::initializer_list<int64_t> output_size)  // NOLINT
      : output_size_(output_size) {}
  GF_NN_ARG(ExpandingArray<2>, output_size);
};
using AdaptiveMaxPool2dFuncOptions = AdaptiveAvgPool2dFuncOptions;

Tensor max_pool2d(const Tensor& input, const MaxPool2dFuncOptions& options);
std::tuple<Tensor, Tensor> max_pool2d_with_indices(const Tensor& input,
                                                   const MaxPool2dFuncOptions& options);
Tensor avg_pool2d(const Tensor& input, const AvgPool2dFuncOptions& options);
Tensor adaptive_avg_pool2d(const Tensor& input, const AdaptiveAvgPool2dFuncOptions& options);
Tensor adaptive_max_pool2d(const Tensor& input, const AdaptiveMaxPool2dFuncOptions& options);
std::tuple<Tensor, Tensor> adaptive_max_pool2d_with_indices(
    const Tensor& input, const AdaptiveMaxPool2dFuncOptions& options);

}  // namespace gf::nn::functional
