// gf::nn::init — in-place parameter initialisation with PyTorch's formulas
// (torch/nn/init.py). Every function fills `tensor` in place (no autograd history), draws from
// the default generator (manual_seed), and returns the same handle.
//
//   fan_in  = size(1) * receptive field,  fan_out = size(0) * receptive field
//   (receptive field = product of sizes from dim 2 on; needs dim() >= 2)
//   xavier_uniform_:  U(-a, a), a = gain * sqrt(6 / (fan_in + fan_out))
//   xavier_normal_:   N(0, std²), std = gain * sqrt(2 / (fan_in + fan_out))
//   kaiming_uniform_: U(-b, b), b = gain * sqrt(3 / fan),  gain = calculate_gain(nonlinearity, a)
//   kaiming_normal_:  N(0, std²), std = gain / sqrt(fan)
#pragma once
#include <optional>
#include <utility>

#include "gradflow/tensor.hpp"

namespace gf::nn::init {

enum class Nonlinearity { Linear, Conv1D, Conv2D, Conv3D, Sigmoid, Tanh, ReLU, LeakyReLU, SELU };
enum class FanMode { FanIn, FanOut };

// linear/conv/sigmoid: 1, tanh: 5/3, relu: √2, leaky_relu: √(2/(1+slope²)) (slope defaults to
// 0.01), selu: 3/4.
double calculate_gain(Nonlinearity nonlinearity, std::optional<double> param = std::nullopt);
// {fan_in, fan_out}; throws gf::Error for tensors with fewer than 2 dimensions.
std::pair<int64_t, int64_t> calculate_fan_in_and_fan_out(const Tensor& tensor);

Tensor uniform_(Tensor tensor, double low = 0.0, double high = 1.0);
Tensor normal_(Tensor tensor, double mean = 0.0, double std = 1.0);
Tensor constant_(Tensor tensor, double value);
Tensor zeros_(Tensor tensor);
Tensor ones_(Tensor tensor);
Tensor xavier_uniform_(Tensor tensor, double gain = 1.0);
Tensor xavier_normal_(Tensor tensor, double gain = 1.0);
Tensor kaiming_uniform_(Tensor tensor, double a = 0.0, FanMode mode = FanMode::FanIn,
                        Nonlinearity nonlinearity = Nonlinearity::LeakyReLU);
Tensor kaiming_normal_(Tensor tensor, double a = 0.0, FanMode mode = FanMode::FanIn,
                       Nonlinearity nonlinearity = Nonlinearity::LeakyReLU);

}  // namespace gf::nn::init
