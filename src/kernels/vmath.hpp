// Vectorised transcendental functions over contiguous float32 / float64 buffers, through SLEEF's
// 1-ulp (u10) functions — the ones PyTorch's CPU kernels call — so results are bit-identical to
// torch's. The widest instruction set the CPU has is picked once at startup (AVX-512F, then
// AVX2+FMA; SLEEF's lanes compute the same bits at either width); without AVX2 the scalar libm
// loop runs. GF_CPU_CAPABILITY=avx512|avx2|default caps the choice (like ATEN_CPU_CAPABILITY).
#pragma once
#include <cstdint>

#include "gradflow/tensor.hpp"

namespace gf::kernels {

enum class VectorFn : int {
  Exp, Log, Log1p, Expm1, Tanh, Sigmoid, Erf,
  // torch's vectorised unary kernels for the second round's ops (SLEEF u10, erfc u15); torch
  // 1.13 computes sinh, cosh and exp2 with scalar libm, so gradflow does too (src/ops/math.cpp)
  Sin, Cos, Tan, Asin, Acos, Atan, Log2, Log10, Erfc,
  Count
};

// y[i] = fn(x[i]) for i in [0, n). Buffers may alias exactly (x == y).
void vector_map(VectorFn fn, const float* x, float* y, int64_t n);
void vector_map(VectorFn fn, const double* x, double* y, int64_t n);

// A new contiguous tensor fn(x) of x's dtype (float32 or float64), threaded above the
// elementwise threshold; other layouts go through the same functions element by element.
Tensor vector_unary(const Tensor& x, VectorFn fn);

// The instruction set vector_map uses: "avx512", "avx2" or "default".
const char* vector_capability();

}  // namespace gf::kernels
