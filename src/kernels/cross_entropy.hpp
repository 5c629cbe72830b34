// Fused cross-entropy from logits, one pass per row of x [M, C] (rows contiguous):
//   lse_r = m + log Σ_k exp(x_rk − m)                         (m = the row max: stable at ±1000)
//   class ids y:       loss_r = lse_r − x_r,y_r
//   probabilities t:   loss_r = Σ_k t_rk (lse_r − x_rk)
// and its backward, also one pass per row (seed 000/001: dL/dz = softmax(z) − y):
//   ids:    dx_rk = (p_rk − [k = y_r]) · gs_r
//   probs:  dx_rk = (p_rk Σ_j t_rj − t_rk) · gs_r           (= p − t when t sums to one)
// where p = softmax(x) and gs_r the incoming gradient of row r's loss.
#pragma once
#include <cmath>
#include <cstdint>

#include "gradflow/error.hpp"
#include "softmax.hpp"

namespace gf::kernels {

// Throws unless every class id lies in [0, C).
inline void check_class_ids(const int64_t* y, int64_t m, int64_t c, const char* op) {
  for (int64_t r = 0; r < m; ++r)
    GF_CHECK(y[r] >= 0 && y[r] < c, op, ": target class ", y[r], " is out of range for ", c,
             " classes (valid ids are 0 to ", c - 1, ")");
}

// The losses of rows [b, e): loss_of(r, value) for each, in row order. The rows' log Σ exp are
// taken in one vectorised log (SLEEF, as the exponentials) after the block's sums.
template <class T, class N, class F>
void cross_entropy_rows(const T* x, const int64_t* y, const T* t, int64_t b, int64_t e, N c,
                        F&& loss_of) {
  T* ex = scratch<T>((e - b) * c);
  double* log_s = scratch<double, 1>(e - b);
  double* shift = scratch<double, 2>(e - b);
  exp_shifted_rows(x + b * c, ex, 0, e - b, c, [&](int64_t i, T m) {
    log_s[i] = row_sum(ex + i * c, c);
    shift[i] = static_cast<double>(m);
  });
  vector_map(VectorFn::Log, log_s, log_s, e - b);
  for (int64_t i = 0; i < e - b; ++i) {
    const int64_t r = b + i;
    const T* xr = x + r * c;
    const double lse = shift[i] + log_s[i];
    if (t == nullptr) {
      loss_of(r, lse - static_cast<double>(xr[y[r]]));
      continue;
    }
    const T* tr = t + r * c;
    double acc = 0;
    for (int64_t k = 0; k < c; ++k) acc += static_cast<double>(tr[k]) * (lse - xr[k]);
    loss_of(r, acc);
  }
}

// Per-row losses into loss[r] (reduction None), or their sum (returned; loss == nullptr).
template <class T>
double cross_entropy_forward(const T* x, const int64_t* y, const T* t, int64_t m, int64_t c,
                             T* loss) {
  return with_row_length(c, [&](auto cn) -> double {
    if (loss != nullptr) {
      parallel_rows(m, c, [&](int64_t b, int64_t e) {
        cross_entropy_rows(x, y, t, b, e, cn,
                           [&](int64_t r, double v) { loss[r] = static_cast<T>(v); });
      });
      return 0;
    }
    double total = 0;
    cross_entropy_rows(x, y, t, 0, m, cn, [&](int64_t, double v) { total += v; });
    return total;
  });
}

// dx for the rows of x; gs[r * gs_stride] * scale is row r's incoming gradient (gs_stride 0: one
// scalar for every row).
template <class T>
void cross_entropy_backward_rows(const T* x, const int64_t* y, const T* t, const T* gs,
                                 int64_t gs_stride, double scale, int64_t m, int64_t c, T* dx) {
  with_row_length(c, [&](auto c) {  // c: the same count, a constant for 2 to 4 classes
    parallel_rows(m, c, [&](int64_t b, int64_t e) {
      exp_shifted_rows(x, dx, b, e, c, [&](int64_t r, T) {
        T* d = dx + r * c;
        const double s = row_sum(d, c);
        double g = static_cast<double>(gs[r * gs_stride]) * scale;
        if (t == nullptr) {
          T f = static_cast<T>(g / s);
          for (int64_t k = 0; k < c; ++k) d[k] *= f;
          d[y[r]] -= static_cast<T>(g);
        } else {
          const T* tr = t + r * c;
          double tsum = 0;
          for (int64_t k = 0; k < c; ++k) tsum += tr[k];
          T f = static_cast<T>(g * tsum / s), gt = static_cast<T>(g);
          for (int64_t k = 0; k < c; ++k) d[k] = d[k] * f - tr[k] * gt;
        }
      });
    });
  });
}

}  // namespace gf::kernels
