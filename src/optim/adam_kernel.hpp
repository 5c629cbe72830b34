// Adam's element loop, compiled once per instruction set (adam_kernels.inc, included by
// adam.cpp for x86-64-v2 and by adam_avx2.cpp / adam_avx512.cpp with wider vectors) and picked
// at run time like the vector-math tables (kernels::vector_capability(), GF_CPU_CAPABILITY).
// The loop is only additions, multiplications, one square root and two divisions, each
// correctly rounded at any vector width, and the wider files are built with -ffp-contract=off
// (no fused multiply-add), so every width computes the same bits: PyTorch's single-tensor Adam.
// The divisions and the root bound the loop (divps: 4 floats per ~3.5 cycles, vdivps ymm: 8).
#pragma once
#include <cmath>
#include <cstdint>

namespace gf::optim::detail {

// Scalars of one update, in the parameter's type.
template <class T>
struct AdamScalars {
  T sign, decay, wd, b1, one_minus_b1, b2, one_minus_b2, bc2_sqrt, eps, neg_step_size;
};

template <class T>
using AdamKernel = void (*)(T*, const T*, T*, T*, T*, int64_t, int64_t, AdamScalars<T>);

// Every flag combination, indexed [decoupled][l2][amsgrad].
struct AdamKernels {
  AdamKernel<float> f32[2][2][2];
  AdamKernel<double> f64[2][2][2];
};

const AdamKernels& adam_kernels_default();
const AdamKernels& adam_kernels_avx2();
const AdamKernels& adam_kernels_avx512();

}  // namespace gf::optim::detail
