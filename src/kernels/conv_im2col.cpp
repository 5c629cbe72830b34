// im2col + GEMM convolution (kernels/conv.hpp): the float64 path, and float32 wherever oneDNN
// is not used. One sample per OpenMP iteration (BLAS runs single-threaded inside a parallel
// region), each thread with its own column buffer, reused across calls.
#include <algorithm>
#include <cstring>
#include <vector>

#include "conv.hpp"
#include "gemm.hpp"

namespace gf::kernels {

namespace {

// The output columns q whose input column q*stride + off lies in [0, W): [lo, hi).
inline void valid_range(int64_t off, int64_t stride, int64_t W, int64_t Q, int64_t& lo,
                        int64_t& hi) {
  lo = off >= 0 ? 0 : (-off + stride - 1) / stride;
  hi = off > W - 1 ? 0 : (W - 1 - off) / stride + 1;
  lo = std::min(lo, Q);
  hi = std::clamp(hi, lo, Q);
}

// col [Cg*R*S, P*Q] from one sample's channels x [Cg, H, W].
template <class T>
void im2col(const T* x, int64_t Cg, const ConvGeometry& g, T* col) {
  const int64_t PQ = g.P * g.Q;
  for (int64_t c = 0; c < Cg; ++c)
    for (int64_t r = 0; r < g.R; ++r)
      for (int64_t s = 0; s < g.S; ++s) {
        T* row = col + ((c * g.R + r) * g.S + s) * PQ;
        const int64_t woff = s * g.dilation_w - g.pad_left;
        int64_t lo, hi;
        valid_range(woff, g.stride_w, g.W, g.Q, lo, hi);
        for (int64_t p = 0; p < g.P; ++p) {
          T* out = row + p * g.Q;
          const int64_t ih = p * g.stride_h - g.pad_top + r * g.dilation_h;
          if (ih < 0 || ih >= g.H) {
            std::fill(out, out + g.Q, T(0));
            continue;
          }
          const T* in = x + (c * g.H + ih) * g.W + woff;
          std::fill(out, out + lo, T(0));
          if (g.stride_w == 1)
            std::memcpy(out + lo, in + lo, sizeof(T) * (hi - lo));
          else
            for (int64_t q = lo; q < hi; ++q) out[q] = in[q * g.stride_w];
          std::fill(out + hi, out + g.Q, T(0));
        }
      }
}

// x [Cg, H, W] += col2im(col), the adjoint of im2col.
template <class T>
void col2im(const T* col, int64_t Cg, const ConvGeometry& g, T* x) {
  const int64_t PQ = g.P * g.Q;
  for (int64_t c = 0; c < Cg; ++c)
    for (int64_t r = 0; r < g.R; ++r)
      for (int64_t s = 0; s < g.S; ++s) {
        const T* row = col + ((c * g.R + r) * g.S + s) * PQ;
        const int64_t woff = s * g.dilation_w - g.pad_left;
        int64_t lo, hi;
        valid_range(woff, g.stride_w, g.W, g.Q, lo, hi);
        for (int64_t p = 0; p < g.P; ++p) {
          const int64_t ih = p * g.stride_h - g.pad_top + r * g.dilation_h;
          if (ih < 0 || ih >= g.H) continue;
          T* out = x + (c * g.H + ih) * g.W + woff;
          const T* in = row + p * g.Q;
          for (int64_t q = lo; q < hi; ++q) out[q * g.stride_w] += in[q];
        }
      }
}

template <class T>
std::vector<T>& scratch(std::size_t n) {
  thread_local std::vector<T> buffer;
  if (buffer.size() < n) buffer.resize(n);
  return buffer;
}

bool parallel_over_samples(const ConvGeometry& g) {
  return g.N > 1 && g.N * g.K * g.P * g.Q * g.C * g.R * g.S / g.groups > 100000;
}

template <class T>
void add_bias(T* y, const T* bias, int64_t N, int64_t K, int64_t PQ) {
  for (int64_t n = 0; n < N; ++n)
    for (int64_t k = 0; k < K; ++k) {
      T* out = y + (n * K + k) * PQ;
      for (int64_t i = 0; i < PQ; ++i) out[i] += bias[k];
    }
}

template <class T>
void forward(const T* x, const T* w, const T* bias, T* y, const ConvGeometry& g) {
  const int64_t Cg = g.C / g.groups, Kg = g.K / g.groups, PQ = g.P * g.Q;
  const int64_t CRS = Cg * g.R * g.S;
#pragma omp parallel for schedule(static) if (parallel_over_samples(g))
  for (int64_t n = 0; n < g.N; ++n) {
    std::vector<T>& col = scratch<T>(CRS * PQ);
    for (int64_t grp = 0; grp < g.groups; ++grp) {
      im2col(x + (n * g.C + grp * Cg) * g.H * g.W, Cg, g, col.data());
      T* out = y + (n * g.K + grp * Kg) * PQ;
      gemm_raw(false, false, Kg, PQ, CRS, T(1), w + grp * Kg * CRS, CRS, col.data(), PQ, T(0), out,
              PQ);
    }
    if (bias) add_bias(y + n * g.K * PQ, bias, 1, g.K, PQ);
  }
}

template <class T>
void backward_data(const T* dy, const T* w, T* dx, const ConvGeometry& g) {
  const int64_t Cg = g.C / g.groups, Kg = g.K / g.groups, PQ = g.P * g.Q;
  const int64_t CRS = Cg * g.R * g.S;
  std::fill(dx, dx + g.N * g.C * g.H * g.W, T(0));
#pragma omp parallel for schedule(static) if (parallel_over_samples(g))
  for (int64_t n = 0; n < g.N; ++n) {
    std::vector<T>& col = scratch<T>(CRS * PQ);
    for (int64_t grp = 0; grp < g.groups; ++grp) {
      gemm_raw(true, false, CRS, PQ, Kg, T(1), w + grp * Kg * CRS, CRS,
              dy + (n * g.K + grp * Kg) * PQ, PQ, T(0), col.data(), PQ);
      col2im(col.data(), Cg, g, dx + (n * g.C + grp * Cg) * g.H * g.W);
    }
  }
}

template <class T>
void backward_weights(const T* x, const T* dy, T* dw, const ConvGeometry& g) {
  const int64_t Cg = g.C / g.groups, Kg = g.K / g.groups, PQ = g.P * g.Q;
  const int64_t CRS = Cg * g.R * g.S, size = g.K * CRS;
  std::fill(dw, dw + size, T(0));
  const bool parallel = parallel_over_samples(g);
  // Each thread sums its samples into its own copy; the copies are added at the end.
#pragma omp parallel if (parallel)
  {
    std::vector<T> mine(size, T(0));
#pragma omp for schedule(static)
    for (int64_t n = 0; n < g.N; ++n) {
      std::vector<T>& col = scratch<T>(CRS * PQ);
      for (int64_t grp = 0; grp < g.groups; ++grp) {
        im2col(x + (n * g.C + grp * Cg) * g.H * g.W, Cg, g, col.data());
        gemm_raw(false, true, Kg, CRS, PQ, T(1), dy + (n * g.K + grp * Kg) * PQ, PQ, col.data(), PQ,
                T(1), mine.data() + grp * Kg * CRS, CRS);
      }
    }
#pragma omp critical
    for (int64_t i = 0; i < size; ++i) dw[i] += mine[i];
  }
}

}  // namespace

void add_channel_bias(Tensor& y, const Tensor& bias) {
  dispatch_floating(y.dtype(), [&](auto tag) {
    using T = decltype(tag);
    add_bias<T>(y.data_ptr<T>(), bias.data_ptr<T>(), y.size(0), y.size(1),
                y.numel() / std::max<int64_t>(1, y.size(0) * y.size(1)));
  });
}

Tensor channel_sum(const Tensor& g) {
  const int64_t N = g.size(0), K = g.size(1), inner = g.numel() / std::max<int64_t>(1, N * K);
  Tensor out = empty({K}, g.dtype());
  dispatch_floating(g.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* p = g.data_ptr<T>();
    T* o = out.data_ptr<T>();
    for (int64_t k = 0; k < K; ++k) {
      double s = 0;
      for (int64_t n = 0; n < N; ++n) {
        const T* row = p + (n * K + k) * inner;
        T part = 0;
#pragma omp simd reduction(+ : part)
        for (int64_t i = 0; i < inner; ++i) part += row[i];
        s += part;
      }
      o[k] = static_cast<T>(s);
    }
  });
  return out;
}

void conv2d_forward(const Tensor& x, const Tensor& w, const Tensor& bias, Tensor& y,
                    const ConvGeometry& g) {
  if (y.numel() == 0) return;
  if (g.C == 0 || g.R * g.S == 0) {  // an empty sum: just the bias
    y.zero_();
    if (bias.defined()) add_channel_bias(y, bias);
    return;
  }
  if (dnnl_conv2d_forward(x, w, bias, y, g)) return;
  dispatch_floating(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    forward<T>(x.data_ptr<T>(), w.data_ptr<T>(), bias.defined() ? bias.data_ptr<T>() : nullptr,
               y.data_ptr<T>(), g);
  });
}

void conv2d_backward_data(const Tensor& dy, const Tensor& w, Tensor& dx, const ConvGeometry& g) {
  if (dx.numel() == 0) return;
  if (g.K * g.P * g.Q * g.R * g.S == 0) {
    dx.zero_();
    return;
  }
  if (dnnl_conv2d_backward_data(dy, w, dx, g)) return;
  dispatch_floating(dy.dtype(), [&](auto tag) {
    using T = decltype(tag);
    backward_data<T>(dy.data_ptr<T>(), w.data_ptr<T>(), dx.data_ptr<T>(), g);
  });
}

void conv2d_backward_weights(const Tensor& x, const Tensor& dy, Tensor& dw, const ConvGeometry& g) {
  if (dw.numel() == 0) return;
  if (g.N * g.P * g.Q == 0) {
    dw.zero_();
    return;
  }
  if (dnnl_conv2d_backward_weights(x, dy, dw, g)) return;
  dispatch_floating(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    backward_weights<T>(x.data_ptr<T>(), dy.data_ptr<T>(), dw.data_ptr<T>(), g);
  });
}

}  // namespace gf::kernels
