// Fused, numerically stable softmax-family loops on a contiguous buffer seen as [outer, n, inner]
// (n = the softmax dim). Every row first subtracts its max, so exp never overflows: logits of
// ±1000 give exact 0/1 probabilities instead of inf/nan.
//   softmax:      out = exp(x - m) / Σ exp(x - m)
//   log_softmax:  out = (x - m) - log Σ exp(x - m)
//   logsumexp:    out[o, i] = m + log Σ exp(x - m)   (the dim is reduced)
// inner == 1 (the softmax dim is the last one, e.g. [batch, classes]) is the fast path: one
// contiguous row at a time, its exponentials computed for a block of rows in one SLEEF call (the
// functions torch's vectorised softmax uses; scalar libm exp was half of seed 003's training
// step). Sums accumulate in double.
#pragma once
#include <cmath>
#include <algorithm>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <vector>

#include "elementwise.hpp"
#include "vmath.hpp"

namespace gf::kernels {

enum class SoftmaxMode { Softmax, LogSoftmax, LogSumExp };

// Rows of row_len elements each, split across threads when there is enough work.
template <class F>
void parallel_rows(int64_t rows, int64_t row_len, F&& f) {
  parallel_for(rows, std::forward<F>(f), row_len);
}

// The max of a row, or 0 when it is ±inf (so that x - m stays finite where it can, like
// PyTorch's logsumexp: an all -inf row gives -inf, not nan).
template <class T, class N>
inline double row_shift(const T* x, N n) {
  double m = -std::numeric_limits<double>::infinity();
  for (int64_t k = 0; k < n; ++k) m = std::max(m, static_cast<double>(x[k]));
  return std::isinf(m) ? 0.0 : m;
}

// For the rows [b, e) of x (n contiguous elements each): e_out[r] = exp(x[r] - m_r) with m_r the
// row's shift, one vectorised exp per block of rows, then row(r, m_r) once that row is ready.
// e_out has x's layout (it may be the caller's output, or scratch).
// n is an int64_t, or a std::integral_constant from with_row_length (the loops then unroll).
template <class T, class N, class F>
void exp_shifted_rows(const T* x, T* e_out, int64_t b, int64_t e, N n, F&& row) {
  constexpr int64_t kBlock = 2048;  // elements per vector call: the block stays in L1
  const int64_t per = std::clamp<int64_t>(kBlock / std::max<int64_t>(n, 1), 1, kBlock);
  T shift[kBlock];
  for (int64_t r0 = b; r0 < e; r0 += per) {
    const int64_t r1 = std::min(e, r0 + per);
    for (int64_t r = r0; r < r1; ++r) {
      const T* xr = x + r * n;
      T* o = e_out + r * n;
      const T m = static_cast<T>(row_shift(xr, n));
      shift[r - r0] = m;
      for (int64_t k = 0; k < n; ++k) o[k] = xr[k] - m;
    }
    vector_map(VectorFn::Exp, e_out + r0 * n, e_out + r0 * n, (r1 - r0) * n);
    for (int64_t r = r0; r < r1; ++r) row(r, shift[r - r0]);
  }
}

// f(n) with a row length of 2, 3 or 4 (a classifier's classes) passed as a compile-time
// constant, so that the per-row loops of the cross-entropy kernels unroll; any other length is
// passed as it is. Same operations in the same order either way (bitwise the same results).
// Measured: seed 003's 3-class rows took ~86 (forward) and ~117 (backward) instructions each
// through the general loops.
template <class F>
decltype(auto) with_row_length(int64_t n, F&& f) {
  switch (n) {
    case 2: return f(std::integral_constant<int64_t, 2>{});
    case 3: return f(std::integral_constant<int64_t, 3>{});
    case 4: return f(std::integral_constant<int64_t, 4>{});
    default: return f(n);
  }
}

// A per-thread scratch buffer of at least n elements (for exponentials nobody keeps); Slot
// tells apart buffers of one type used at the same time.
template <class T, int Slot = 0>
T* scratch(int64_t n) {
  thread_local std::vector<T> buf;
  if (static_cast<int64_t>(buf.size()) < n) buf.resize(n);
  return buf.data();
}

template <class T, class N>
inline double row_sum(const T* x, N n) {
  double s = 0;
  for (int64_t k = 0; k < n; ++k) s += x[k];
  return s;
}

template <class T>
void softmax_rows(const T* x, T* out, int64_t rows, int64_t n, SoftmaxMode mode) {
  parallel_rows(rows, n, [&](int64_t b, int64_t e) {
    if (mode == SoftmaxMode::LogSumExp) {
      T* ex = scratch<T>((e - b) * n);
      exp_shifted_rows(x + b * n, ex, 0, e - b, n, [&](int64_t r, T m) {
        out[b + r] = static_cast<T>(static_cast<double>(m) + std::log(row_sum(ex + r * n, n)));
      });
      return;
    }
    exp_shifted_rows(x, out, b, e, n, [&](int64_t r, T m) {
      T* o = out + r * n;
      const double s = row_sum(o, n);
      if (mode == SoftmaxMode::Softmax) {
        const T inv = static_cast<T>(1.0 / s);
        for (int64_t k = 0; k < n; ++k) o[k] *= inv;
      } else {
        const T* xr = x + r * n;
        const T log_s = static_cast<T>(std::log(s));  // (x - m) - log s: exact where x = m
        for (int64_t k = 0; k < n; ++k) o[k] = (xr[k] - m) - log_s;
      }
    });
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
