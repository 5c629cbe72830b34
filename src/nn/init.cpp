// nn::init — PyTorch's initialisation formulas (torch/nn/init.py), filled in place from the
// default generator.
#include "gradflow/nn/init.hpp"

#include <cmath>

#include "gradflow/generator.hpp"

namespace gf::nn::init {

namespace {
// Calls draw() for every element of a contiguous floating tensor, in order.
template <class Draw>
Tensor fill_with(Tensor tensor, const char* op, Draw draw) {
  GF_CHECK(tensor.defined(), "init.", op, ": tensor is undefined");
  GF_CHECK(is_floating(tensor.dtype()), "init.", op, ": tensor must be floating, got ",
           dtype_name(tensor.dtype()));
  GF_CHECK(tensor.is_contiguous(), "init.", op, ": tensor must be contiguous");
  dispatch_floating(tensor.dtype(), [&](auto tag) {
    using T = decltype(tag);
    T* p = tensor.data_ptr<T>();
    for (int64_t i = 0, n = tensor.numel(); i < n; ++i) p[i] = static_cast<T>(draw());
  });
  return tensor;
}
}  // namespace

double calculate_gain(Nonlinearity nonlinearity, std::optional<double> param) {
  switch (nonlinearity) {
    case Nonlinearity::Linear:
    case Nonlinearity::Conv1D:
    case Nonlinearity::Conv2D:
    case Nonlinearity::Conv3D:
    case Nonlinearity::Sigmoid:
      return 1.0;
    case Nonlinearity::Tanh:
      return 5.0 / 3;
    case Nonlinearity::ReLU:
      return std::sqrt(2.0);
    case Nonlinearity::LeakyReLU: {
      double slope = param.value_or(0.01);
      return std::sqrt(2.0 / (1 + slope * slope));
    }
    case Nonlinearity::SELU:
      return 3.0 / 4;
  }
  return 1.0;
}

std::pair<int64_t, int64_t> calculate_fan_in_and_fan_out(const Tensor& tensor) {
  GF_CHECK(tensor.dim() >= 2,
           "init: Fan in and fan out can not be computed for tensor with "
           "fewer than 2 dimensions (got shape ",
           tensor.sizes(), ")");
  int64_t receptive = 1;
  for (int64_t d = 2; d < tensor.dim(); ++d) receptive *= tensor.size(d);
  return {tensor.size(1) * receptive, tensor.size(0) * receptive};
}

Tensor uniform_(Tensor tensor, double low, double high) {
  Generator& g = default_generator();
  return fill_with(std::move(tensor), "uniform_", [&] { return low + (high - low) * g.uniform(); });
}

Tensor normal_(Tensor tensor, double mean, double std) {
  GF_CHECK(std >= 0, "init.normal_: std must be non-negative, got ", std);
  Generator& g = default_generator();
  return fill_with(std::move(tensor), "normal_", [&] { return mean + std * g.normal(); });
}

Tensor constant_(Tensor tensor, double value) {
  return fill_with(std::move(tensor), "constant_", [&] { return value; });
}
Tensor zeros_(Tensor tensor) { return constant_(std::move(tensor), 0.0); }
Tensor ones_(Tensor tensor) { return constant_(std::move(tensor), 1.0); }

Tensor xavier_uniform_(Tensor tensor, double gain) {
  auto [fan_in, fan_out] = calculate_fan_in_and_fan_out(tensor);
  double std = gain * std::sqrt(2.0 / static_cast<double>(fan_in + fan_out));
  double a = std::sqrt(3.0) * std;
  return uniform_(std::move(tensor), -a, a);
}

Tensor xavier_normal_(Tensor tensor, double gain) {
  auto [fan_in, fan_out] = calculate_fan_in_and_fan_out(tensor);
  double std = gain * std::sqrt(2.0 / static_cast<double>(fan_in + fan_out));
  return normal_(std::move(tensor), 0.0, std);
}

namespace {
double kaiming_std(const Tensor& tensor, double a, FanMode mode, Nonlinearity nonlinearity,
                   const char* op) {
  auto [fan_in, fan_out] = calculate_fan_in_and_fan_out(tensor);
  int64_t fan = mode == FanMode::FanIn ? fan_in : fan_out;
  GF_CHECK(fan > 0, "init.", op, ": initializing zero-element tensors is a no-op");
  return calculate_gain(nonlinearity, a) / std::sqrt(static_cast<double>(fan));
}
}  // namespace

Tensor kaiming_uniform_(Tensor tensor, double a, FanMode mode, Nonlinearity nonlinearity) {
  if (tensor.numel() == 0) return tensor;
  double bound = std::sqrt(3.0) * kaiming_std(tensor, a, mode, nonlinearity, "kaiming_uniform_");
  return uniform_(std::move(tensor), -bound, bound);
}

Tensor kaiming_normal_(Tensor tensor, double a, FanMode mode, Nonlinearity nonlinearity) {
  if (tensor.numel() == 0) return tensor;
  double std = kaiming_std(tensor, a, mode, nonlinearity, "kaiming_normal_");
  return normal_(std::move(tensor), 0.0, std);
}

}  // namespace gf::nn::init
