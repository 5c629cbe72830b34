// C = alpha * op(A) op(B) + beta * C, row-major. float32 goes to OpenBLAS or oneDNN's sgemm,
// chosen once per process (see gemm_backend()); float64 always to OpenBLAS. For 2-D strided
// views: one whose last stride is 1 is passed as-is; one whose first stride is 1 (a transpose)
// is passed with the transpose flag; anything else is copied first. Int64 uses a plain loop
// (never on a hot path).
#pragma once
#include "gradflow/tensor.hpp"

namespace gf::kernels {

// out (contiguous m x n, dtype of a) = alpha * a (m x k) * b (k x n) + beta * out
void gemm(const Tensor& a, const Tensor& b, Tensor& out, double alpha, double beta);

// The same on raw row-major buffers (ta/tb: op(X) = Xᵀ).
void gemm_raw(bool ta, bool tb, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
              int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc);
void gemm_raw(bool ta, bool tb, int64_t m, int64_t n, int64_t k, double alpha, const double* a,
              int64_t lda, const double* b, int64_t ldb, double beta, double* c, int64_t ldc);

// "openblas" or "onednn": the float32 GEMM in use. OpenBLAS 0.3.21 (Debian 12) runs its generic
// Prescott (SSE3) kernels on CPUs newer than it knows (Sapphire Rapids: sgemm 4-5x slower than
// its own SkylakeX kernel); oneDNN picks its kernels from the CPU's feature flags. So oneDNN is
// used when OpenBLAS reports a pre-AVX2 core on a CPU that has AVX2. GF_GEMM=openblas|onednn
// overrides the choice.
const char* gemm_backend();

}  // namespace gf::kernels
