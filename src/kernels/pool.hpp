// Pooling kernels on contiguous [planes, H, W] buffers (planes = N·C; no autograd here). Each
// output row p reads the input rows rows[p].start + i·rows[p].step, i < rows[p].count (already
// clipped to the input), and likewise for columns: one description serves max pooling (with
// dilation), average pooling (with its divisor) and the adaptive pools.
#pragma once
#include <cstdint>
#include <optional>
#include <vector>

#include "gradflow/tensor.hpp"

namespace gf::kernels {

struct Window {
  int64_t start = 0, count = 0, step = 1;
  double divisor = 1;  // average pools: the factor this dim contributes to the divisor
};

struct PoolGeometry {
  int64_t planes = 0, H = 0, W = 0;
  std::vector<Window> rows, cols;  // one per output row / column
  std::optional<double> divisor;   // overrides rows[p].divisor · cols[q].divisor
  int64_t P() const { return static_cast<int64_t>(rows.size()); }
  int64_t Q() const { return static_cast<int64_t>(cols.size()); }
};

// y = max over each window, indices = its argmax (h·W + w); NaN wins, ties keep the first.
void max_pool2d_forward(const Tensor& x, Tensor& y, Tensor& indices, const PoolGeometry& g);
// gx (zeroed here) [planes, H·W] += gy at indices.
void max_pool2d_backward(const Tensor& gy, const Tensor& indices, Tensor& gx,
                         const PoolGeometry& g);
// y = Σ window / divisor.
void avg_pool2d_forward(const Tensor& x, Tensor& y, const PoolGeometry& g);
// gx (overwritten) = Σ over the windows containing each input of gy / divisor.
void avg_pool2d_backward(const Tensor& gy, Tensor& gx, const PoolGeometry& g);

}  // namespace gf::kernels
