// Fused, numerically stable softmax-family loops on a contiguous buffer seen as [outer, n, inner]
// (n = the softmax dim). Every row first subtracts its max, so exp never overflows: logits of
// ±1000 give exact 0/1 probabilities instead of inf/nan.
//   softmax:      out = exp(x - m) / Σ exp(x - m)
//   log_softmax:  out = (x - m) - log Σ exp(x - m)
//   logsumexp:    out[o, i] = m + log Σ exp(x - m)   (the dim is reduced)
// inner == 1 (the softmax dim is the last one, e.g. [batch, classes]) is the fast path: one
// contiguous row at a time. Sums accumulate in double.
#pragma once
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "elementwise.hpp"

namespace gf::kernels {

enum class SoftmaxMode { Softmax, LogSoftmax, LogSumExp };

// Rows of row_len elements each, split across threads when there is enough work.
template <class F>
void parallel_rows(int64_t rows, int64_t row_len, F&& f) {
  parallel_for(rows, std::forward<F>(f), row_len);
}

// The max of a row, or 0 when it is ±inf (so that x - m stays finite where it can, like
// PyTorch's logsumexp: an all -inf row gives -inf, not nan).
template <class T>
inline double row_shift(const T* x, int64_t n) {
  double m = -std::numeric_limits<double>::infinity();
  for (int64_t k = 0; k < n; ++k) m = std::max(m, static_cast<double>(x[k]));
  return std::isinf(m) ? 0.0 : m;
}

// log Σ_k exp(x[k]) of one contiguous row.
template <class T>
inline double row_logsumexp(const T* x, int64_t n) {
  double m = row_shift(x, n);
  T mt = static_cast<T>(m);
  double s = 0;
  for (int64_t k = 0; k < n; ++k) s += std::exp(x[k] - mt);
  return m + std::log(s);
}

template <class T>
void softmax_rows(const T* x, T* out, int64_t rows, int64_t n, SoftmaxMode mode) {
  parallel_rows(rows, n, [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) {
      const T* xr = x + r * n;
      if (mode == SoftmaxMode::LogSumExp) {
        out[r] = static_cast<T>(row_logsumexp(xr, n));
        continue;
      }
      T* o = out + r * n;
      T m = static_cast<T>(row_shift(xr, n));
      double s = 0;
      if (mode == SoftmaxMode::Softmax) {
        for (int64_t k = 0; k < n; ++k) {
          o[k] = std::exp(xr[k] - m);
          s += o[k];
        }
        T inv = static_cast<T>(1.0 / s);
        for (int64_t k = 0; k < n; ++k) o[k] *= inv;
      } else {
        for (int64_t k = 0; k < n; ++k) s += std::exp(xr[k] - m);
        T log_s = static_cast<T>(std::log(s));  // (x - m) - log s: exact where x = m
        for (int64_t k = 0; k < n; ++k) o[k] = (xr[k] - m) - log_s;
      }
    }
  });
}

// The general case: the softmax dim has stride `inner`; loops run over inner (contiguous).
template <class T>
void softmax_strided(const T* x, T* out, int64_t outer, int64_t n, int64_t inner,
                     SoftmaxMode mode) {
  std::vector<double> m(inner), s(inner);
  for (int64_t o = 0; o < outer; ++o) {
    const T* xb = x + o * n * inner;
    std::fill(m.begin(), m.end(), -std::numeric_limits<double>::infinity());
    for (int64_t k = 0; k < n; ++k)
      for (int64_t i = 0; i < inner; ++i)
        m[i] = std::max(m[i], static_cast<double>(xb[k * inner + i]));
    for (int64_t i = 0; i < inner; ++i) {
      if (std::isinf(m[i])) m[i] = 0;
      s[i] = 0;
    }
    for (int64_t k = 0; k < n; ++k)
      for (int64_t i = 0; i < inner; ++i) s[i] += std::exp(xb[k * inner + i] - m[i]);
    if (mode == SoftmaxMode::LogSumExp) {
      for (int64_t i = 0; i < inner; ++i)
        out[o * inner + i] = static_cast<T>(m[i] + std::log(s[i]));
      continue;
    }
    T* ob = out + o * n * inner;
    for (int64_t k = 0; k < n; ++k)
      for (int64_t i = 0; i < inner; ++i) {
        double v = xb[k * inner + i] - m[i];
        ob[k * inner + i] =
            static_cast<T>(mode == SoftmaxMode::Softmax ? std::exp(v) / s[i] : v - std::log(s[i]));
      }
  }
}

template <class T>
void softmax_dim(const T* x, T* out, int64_t outer, int64_t n, int64_t inner, SoftmaxMode mode) {
  if (inner == 1)
    softmax_rows(x, out, outer, n, mode);
  else
    softmax_strided(x, out, outer, n, inner, mode);
}

}  // namespace gf::kernels
