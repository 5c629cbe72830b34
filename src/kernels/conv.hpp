// Convolution kernels on contiguous NCHW buffers (no autograd here). A 1-d convolution is the
// 2-d one with H = 1. Float32 may go to oneDNN (conv_dnnl.cpp) when it is available and measured
// faster; everything else is im2col + GEMM (OpenBLAS):
//   y[n, g] (Kg x PQ) = W[g] (Kg x CgRS) · col(x[n, g]) (CgRS x PQ)            forward
//   dx[n, g] = col2im( W[g]ᵀ · dy[n, g] )                                      backward data
//   dW[g]    = Σ_n dy[n, g] · col(x[n, g])ᵀ                                    backward weights
// Padding may differ between the two sides (padding="same" with an even kernel).
#pragma once
#include <cstdint>

#include "gradflow/tensor.hpp"

namespace gf::kernels {

struct ConvGeometry {
  int64_t N = 0, C = 0, H = 0, W = 0;  // input
  int64_t K = 0, R = 0, S = 0;         // weight: K x C/groups x R x S
  int64_t P = 0, Q = 0;                // output height and width
  int64_t stride_h = 1, stride_w = 1;
  int64_t pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
  int64_t dilation_h = 1, dilation_w = 1;
  int64_t groups = 1;
};

// y [N, K, P, Q] = conv(x [N, C, H, W], w [K, C/g, R, S]) + bias [K] (bias may be undefined).
void conv2d_forward(const Tensor& x, const Tensor& w, const Tensor& bias, Tensor& y,
                    const ConvGeometry& g);
// dx [N, C, H, W] from dy [N, K, P, Q] and w (overwrites dx).
void conv2d_backward_data(const Tensor& dy, const Tensor& w, Tensor& dx, const ConvGeometry& g);
// dw [K, C/g, R, S] from x and dy (overwrites dw).
void conv2d_backward_weights(const Tensor& x, const Tensor& dy, Tensor& dw, const ConvGeometry& g);

// y [N, K, ...] += bias [K] per channel.
void add_channel_bias(Tensor& y, const Tensor& bias);
// out [K] = Σ over n and positions of g [N, K, ...] (a bias's gradient), summed in double.
Tensor channel_sum(const Tensor& g);

// oneDNN versions (float32 only); false when oneDNN is not used for this call.
bool dnnl_conv2d_forward(const Tensor& x, const Tensor& w, const Tensor& bias, Tensor& y,
                         const ConvGeometry& g);
bool dnnl_conv2d_backward_data(const Tensor& dy, const Tensor& w, Tensor& dx,
                               const ConvGeometry& g);
bool dnnl_conv2d_backward_weights(const Tensor& x, const Tensor& dy, Tensor& dw,
                                  const ConvGeometry& g);

}  // namespace gf::kernels
