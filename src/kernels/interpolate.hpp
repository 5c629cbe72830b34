// Interpolation kernels (nearest, bilinear) on contiguous [planes, H, W] buffers. Both modes are
// separable: output row p reads input rows rows[p].i0 and rows[p].i1 with weights w0, w1 (nearest:
// one row, w0 = 1), and likewise for columns, so y[p, q] = Σ_ab rows[p].w_a · cols[q].w_b ·
// x[rows[p].i_a, cols[q].i_b]. The backward is the adjoint: each gy[p, q] spreads back to the
// same (up to) four inputs with the same weights. Planes spread over OpenMP threads.
#pragma once
#include <cstdint>
#include <vector>

#include "gradflow/tensor.hpp"

namespace gf::kernels {

struct Taps {
  int64_t i0 = 0, i1 = 0;
  double w0 = 1, w1 = 0;
};

struct InterpolateGeometry {
  int64_t planes = 0, H = 0, W = 0;
  std::vector<Taps> rows, cols;  // one per output row / column
  bool nearest = false;          // one tap (i0, weight 1) per output row and column
  int64_t P() const { return static_cast<int64_t>(rows.size()); }
  int64_t Q() const { return static_cast<int64_t>(cols.size()); }
};

// y [planes, P, Q] = the interpolation of x [planes, H, W].
void interpolate_forward(const Tensor& x, Tensor& y, const InterpolateGeometry& g);
// gx [planes, H, W] (overwritten) = the adjoint applied to gy [planes, P, Q].
void interpolate_backward(const Tensor& gy, Tensor& gx, const InterpolateGeometry& g);

}  // namespace gf::kernels
