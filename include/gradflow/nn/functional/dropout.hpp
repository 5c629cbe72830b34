// Dropout, as torch.nn.functional / libtorch's F:: with their option structs:
//
//   namespace F = gf::nn::functional;
//   Tensor y = F::dropout(x, F::DropoutFuncOptions().p(0.2).training(is_training()));
//   Tensor z = F::dropout2d(x, F::Dropout2dFuncOptions().p(0.1));   // whole channels
//
// dropout zeroes each element with probability p and scales the survivors by 1/(1 − p);
// dropout2d (torch's feature dropout) draws one keep/drop per (sample, channel) of x [N, C, *]
// and applies it to the whole channel (a 3-D input is [N, C, L], as torch 1.13 reads it).
// Both are x · mask (MulBackward0), the identity when training is false or p is 0.
#pragma once
#include "gradflow/nn/expanding_array.hpp"
#include "gradflow/tensor.hpp"

namespace gf::nn::functional {

struct DropoutFuncOptions {
  DropoutFuncOptions() = default;
  DropoutFuncOptions(double p) : p_(p) {}  // NOLINT: implicit like libtorch
  GF_NN_ARG(double, p) = 0.5;
  GF_NN_ARG(bool, inplace) = false;  // accepted for libtorch's signature; the result is new
  GF_NN_ARG(bool, training) = true;
};
using Dropout2dFuncOptions = DropoutFuncOptions;

Tensor dropout(const Tensor& input, const DropoutFuncOptions& options = {});
Tensor dropout2d(const Tensor& input, const Dropout2dFuncOptions& options = {});

}  // namespace gf::nn::functional
