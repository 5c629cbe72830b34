// C = alpha * op(A) op(B) + beta * C through CBLAS, for 2-D strided views. A view whose
// last stride is 1 is passed as-is; one whose first stride is 1 (a transpose) is passed with the
// transpose flag; anything else is copied first. Int64 uses a plain loop (never on a hot path).
#pragma once
#include "gradflow/tensor.hpp"

namespace gf::kernels {

// out (contiguous m x n, dtype of a) = alpha * a (m x k) * b (k x n) + beta * out
void gemm(const Tensor& a, const Tensor& b, Tensor& out, double alpha, double beta);

}  // namespace gf::kernels
