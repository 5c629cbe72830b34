// Tensor construction. Random factories draw from the default generator (manual_seed).
#pragma once
#include <initializer_list>
#include <vector>

#include "gradflow/tensor.hpp"

namespace gf {

Tensor tensor(std::vector<double> values, const Shape& shape, DType dtype = default_dtype());
Tensor tensor(std::initializer_list<double> values, DType dtype = default_dtype());  // 1-D
Tensor scalar_tensor(double v, DType dtype = default_dtype());                        // 0-D
Tensor zeros(const Shape& shape, DType dtype = default_dtype());
Tensor ones(const Shape& shape, DType dtype = default_dtype());
Tensor full(const Shape& shape, double v, DType dtype = default_dtype());
Tensor zeros_like(const Tensor& t);
Tensor ones_like(const Tensor& t);
Tensor full_like(const Tensor& t, double v);
Tensor eye(int64_t n, DType dtype = default_dtype());
Tensor arange(double end, DType dtype = DType::Int64);  // 0, 1, ..., end-1
Tensor arange(double start, double end, double step = 1, DType dtype = default_dtype());
Tensor linspace(double start, double end, int64_t steps, DType dtype = default_dtype());
Tensor rand(const Shape& shape, DType dtype = default_dtype());   // uniform in [0, 1)
Tensor randn(const Shape& shape, DType dtype = default_dtype());  // standard normal
Tensor randint(int64_t low, int64_t high, const Shape& shape);    // Int64 in [low, high)
Tensor randperm(int64_t n);                                        // Int64 permutation

}  // namespace gf
