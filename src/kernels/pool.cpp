// Pooling loops (kernels/pool.hpp): one pass over each plane, planes spread over OpenMP threads.
#include "pool.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

namespace gf::kernels {

namespace {

bool parallel(const PoolGeometry& g) { return g.planes > 1 && g.planes * g.H * g.W > 32768; }

// best, k = v, kv when v > best or v is NaN, unless best is NaN already (the first NaN wins).
// Selected through bit masks rather than branches: GCC vectorises the loop only so (6x faster
// than branches on random data, which mispredict half the time; same results, NaNs included).
template <class T, class Bits>
inline void take_if_greater_or_nan(T& best, Bits& k, T v, std::type_identity_t<Bits> kv) {
  const Bits take = Bits{0} - static_cast<Bits>(!(best >= v) & (best == best));
  best = std::bit_cast<T>((std::bit_cast<Bits>(v) & take) | (std::bit_cast<Bits>(best) & ~take));
  k = (kv & take) | (k & ~take);
}

// The common 2x2 window with stride 2 and no padding, without the window tables. The same
// order and rule as the general loop: row by row, a value wins when greater or NaN.
template <class T>
bool max_forward_2x2(const T* x, T* y, int64_t* ind, const PoolGeometry& g) {
  using Bits = std::conditional_t<sizeof(T) == 4, uint32_t, uint64_t>;
  const int64_t P = g.P(), Q = g.Q(), W = g.W, HW = g.H * g.W;
  for (int64_t p = 0; p < P; ++p)
    if (g.rows[p].start != 2 * p || g.rows[p].count != 2 || g.rows[p].step != 1) return false;
  for (int64_t q = 0; q < Q; ++q)
    if (g.cols[q].start != 2 * q || g.cols[q].count != 2 || g.cols[q].step != 1) return false;
#pragma omp parallel for schedule(static) if (parallel(g))
  for (int64_t n = 0; n < g.planes; ++n) {
    const T* in = x + n * HW;
    for (int64_t p = 0; p < P; ++p) {
      const T* r0 = in + 2 * p * W;
      const T* r1 = r0 + W;
      T* out = y + (n * P + p) * Q;
      int64_t* idx = ind + (n * P + p) * Q;
      const int64_t row = 2 * p * W;
      for (int64_t q = 0; q < Q; ++q) {
        T best = r0[2 * q];
        Bits k = 0;  // the winner's place in the window: 0 1 / 2 3
        take_if_greater_or_nan(best, k, r0[2 * q + 1], 1);
        take_if_greater_or_nan(best, k, r1[2 * q], 2);
        take_if_greater_or_nan(best, k, r1[2 * q + 1], 3);
        out[q] = best;
        idx[q] = row + 2 * q + static_cast<int64_t>(k & 1) + static_cast<int64_t>(k >> 1) * W;
      }
    }
  }
  return true;
}

template <class T>
void max_forward(const T* x, T* y, int64_t* ind, const PoolGeometry& g) {
  if (max_forward_2x2(x, y, ind, g)) return;
  const int64_t P = g.P(), Q = g.Q(), HW = g.H * g.W;
#pragma omp parallel for schedule(static) if (parallel(g))
  for (int64_t n = 0; n < g.planes; ++n) {
    const T* in = x + n * HW;
    T* out = y + n * P * Q;
    int64_t* idx = ind + n * P * Q;
    for (int64_t p = 0; p < P; ++p) {
      const Window& r = g.rows[p];
      for (int64_t q = 0; q < Q; ++q) {
        const Window& c = g.cols[q];
        int64_t best_i = r.start * g.W + c.start;
        T best = -std::numeric_limits<T>::infinity();
        for (int64_t i = 0, h = r.start; i < r.count; ++i, h += r.step) {
          const T* row = in + h * g.W;
          for (int64_t j = 0, w = c.start; j < c.count; ++j, w += c.step) {
            const T v = row[w];
            if (v > best || std::isnan(v)) {
              best = v;
              best_i = h * g.W + w;
              if (std::isnan(v)) goto done;
            }
          }
        }
      done:
        out[p * Q + q] = best;
        idx[p * Q + q] = best_i;
      }
    }
  }
}

template <class T>
void max_backward(const T* gy, const int64_t* ind, T* gx, const PoolGeometry& g) {
  const int64_t PQ = g.P() * g.Q(), HW = g.H * g.W;
  std::fill(gx, gx + g.planes * HW, T(0));
#pragma omp parallel for schedule(static) if (parallel(g))
  for (int64_t n = 0; n < g.planes; ++n)
    for (int64_t k = 0; k < PQ; ++k) gx[n * HW + ind[n * PQ + k]] += gy[n * PQ + k];
}

double divisor(const PoolGeometry& g, int64_t p, int64_t q) {
  return g.divisor ? *g.divisor : g.rows[p].divisor * g.cols[q].divisor;
}

template <class T>
void avg_forward(const T* x, T* y, const PoolGeometry& g) {
  const int64_t P = g.P(), Q = g.Q(), HW = g.H * g.W;
#pragma omp parallel for schedule(static) if (parallel(g))
  for (int64_t n = 0; n < g.planes; ++n) {
    const T* in = x + n * HW;
    T* out = y + n * P * Q;
    for (int64_t p = 0; p < P; ++p) {
      const Window& r = g.rows[p];
      for (int64_t q = 0; q < Q; ++q) {
        const Window& c = g.cols[q];
        T s = 0;
        for (int64_t h = r.start; h < r.start + r.count; ++h)
          for (int64_t w = c.start; w < c.start + c.count; ++w) s += in[h * g.W + w];
        out[p * Q + q] = s / static_cast<T>(divisor(g, p, q));
      }
    }
  }
}

template <class T>
void avg_backward(const T* gy, T* gx, const PoolGeometry& g) {
  const int64_t P = g.P(), Q = g.Q(), HW = g.H * g.W;
  std::fill(gx, gx + g.planes * HW, T(0));
#pragma omp parallel for schedule(static) if (parallel(g))
  for (int64_t n = 0; n < g.planes; ++n) {
    T* in = gx + n * HW;
    const T* out = gy + n * P * Q;
    for (int64_t p = 0; p < P; ++p) {
      const Window& r = g.rows[p];
      for (int64_t q = 0; q < Q; ++q) {
        const Window& c = g.cols[q];
        const T v = out[p * Q + q] / static_cast<T>(divisor(g, p, q));
        for (int64_t h = r.start; h < r.start + r.count; ++h)
          for (int64_t w = c.start; w < c.start + c.count; ++w) in[h * g.W + w] += v;
      }
    }
  }
}

}  // namespace

void max_pool2d_forward(const Tensor& x, Tensor& y, Tensor& indices, const PoolGeometry& g) {
  dispatch_floating(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    max_forward<T>(x.data_ptr<T>(), y.data_ptr<T>(), indices.data_ptr<int64_t>(), g);
  });
}

void max_pool2d_backward(const Tensor& gy, const Tensor& indices, Tensor& gx,
                         const PoolGeometry& g) {
  dispatch_floating(gy.dtype(), [&](auto tag) {
    using T = decltype(tag);
    max_backward<T>(gy.data_ptr<T>(), indices.data_ptr<int64_t>(), gx.data_ptr<T>(), g);
  });
}

void avg_pool2d_forward(const Tensor& x, Tensor& y, const PoolGeometry& g) {
  dispatch_floating(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    avg_forward<T>(x.data_ptr<T>(), y.data_ptr<T>(), g);
  });
}

void avg_pool2d_backward(const Tensor& gy, Tensor& gx, const PoolGeometry& g) {
  dispatch_floating(gy.dtype(), [&](auto tag) {
    using T = decltype(tag);
    avg_backward<T>(gy.data_ptr<T>(), gx.data_ptr<T>(), g);
  });
}

}  // namespace gf::kernels
