// Batch-normalization loops (kernels/batch_norm.hpp). A channel's elements are N runs of S
// contiguous values (stride C·S between runs): statistics walk them per channel (two passes:
// mean, then the centred sum of squares), the output is one scale-and-shift per run.
#include "batch_norm.hpp"

#include <cmath>

#include "elementwise.hpp"

namespace gf::kernels {

namespace {

template <class T>
const T* ptr_or_null(const Tensor& t) {
  return t.defined() ? t.data_ptr<T>() : nullptr;
}

template <class T>
void stats(const T* x, const BatchNormGeometry& g, T* mean, T* var) {
  const int64_t N = g.N, C = g.C, S = g.S;
  const double M = double(N * S);
  parallel_for(
      C,
      [&](int64_t c0, int64_t c1) {
        for (int64_t c = c0; c < c1; ++c) {
          double s = 0;
          for (int64_t n = 0; n < N; ++n) {
            const T* xr = x + (n * C + c) * S;
#pragma omp simd reduction(+ : s)
            for (int64_t i = 0; i < S; ++i) s += xr[i];
          }
          const double m = s / M;
          double ss = 0;
          for (int64_t n = 0; n < N; ++n) {
            const T* xr = x + (n * C + c) * S;
#pragma omp simd reduction(+ : ss)
            for (int64_t i = 0; i < S; ++i) {
              const double d = double(xr[i]) - m;
              ss += d * d;
            }
          }
          mean[c] = T(m);
          var[c] = T(ss / M);
        }
      },
      N * S);
}

template <class T>
void apply(const T* x, const T* mean, const T* invstd, const T* w, const T* b,
           const BatchNormGeometry& g, T* y) {
  const int64_t C = g.C, S = g.S;
  parallel_for(
      g.N * C,
      [&](int64_t r0, int64_t r1) {
        for (int64_t r = r0; r < r1; ++r) {
          const int64_t c = r % C;
          // y = x·scale + shift, scale = invstd·w, shift = b − mean·scale
          const double sc = double(invstd[c]) * (w ? double(w[c]) : 1.0);
          const T scale = T(sc), shift = T((b ? double(b[c]) : 0.0) - double(mean[c]) * sc);
          const T* xr = x + r * S;
          T* yr = y + r * S;
#pragma omp simd
          for (int64_t i = 0; i < S; ++i) yr[i] = xr[i] * scale + shift;
        }
      },
      S);
}

template <class T>
void backward(const T* gy, const T* x, const T* mean, const T* invstd, const T* w, bool training,
              const BatchNormGeometry& g, T* gx, T* gw, T* gb) {
  const int64_t N = g.N, C = g.C, S = g.S;
  const double M = double(N * S);
  parallel_for(
      C,
      [&](int64_t c0, int64_t c1) {
        for (int64_t c = c0; c < c1; ++c) {
          const double m = mean[c], rs = invstd[c];
          double sg = 0, sgx = 0;  // Σ gy, Σ gy·(x − mean)
          for (int64_t n = 0; n < N; ++n) {
            const T* xr = x + (n * C + c) * S;
            const T* gr = gy + (n * C + c) * S;
#pragma omp simd reduction(+ : sg, sgx)
            for (int64_t i = 0; i < S; ++i) {
              sg += gr[i];
              sgx += double(gr[i]) * (double(xr[i]) - m);
            }
          }
          if (gw) gw[c] = T(sgx * rs);
          if (gb) gb[c] = T(sg);
          if (!gx) continue;
          const double scale = rs * (w ? double(w[c]) : 1.0);
          // training: gx = scale·(gy − Σgy/M − (x − mean)·invstd²·Σ(gy·(x − mean))/M)
          const T a = T(scale), cm = T(m);
          const T k = training ? T(scale * rs * rs * sgx / M) : T(0);
          const T d = training ? T(scale * sg / M) : T(0);
          for (int64_t n = 0; n < N; ++n) {
            const T* xr = x + (n * C + c) * S;
            const T* gr = gy + (n * C + c) * S;
            T* dr = gx + (n * C + c) * S;
#pragma omp simd
            for (int64_t i = 0; i < S; ++i) dr[i] = gr[i] * a - d - (xr[i] - cm) * k;
          }
        }
      },
      2 * N * S);
}

}  // namespace

void batch_norm_stats(const Tensor& x, const BatchNormGeometry& g, Tensor& mean, Tensor& var) {
  dispatch_floating(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    stats<T>(x.data_ptr<T>(), g, mean.data_ptr<T>(), var.data_ptr<T>());
  });
}

void batch_norm_apply(const Tensor& x, const Tensor& mean, const Tensor& invstd,
                      const Tensor& weight, const Tensor& bias, const BatchNormGeometry& g,
                      Tensor& y) {
  dispatch_floating(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    apply<T>(x.data_ptr<T>(), mean.data_ptr<T>(), invstd.data_ptr<T>(), ptr_or_null<T>(weight),
             ptr_or_null<T>(bias), g, y.data_ptr<T>());
  });
}

void batch_norm_backward(const Tensor& gy, const Tensor& x, const Tensor& mean,
                         const Tensor& invstd, const Tensor& weight, bool training,
                         const BatchNormGeometry& g, Tensor& gx, Tensor& gweight, Tensor& gbias) {
  dispatch_floating(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    backward<T>(gy.data_ptr<T>(), x.data_ptr<T>(), mean.data_ptr<T>(), invstd.data_ptr<T>(),
                ptr_or_null<T>(weight), training, g, gx.defined() ? gx.data_ptr<T>() : nullptr,
                gweight.defined() ? gweight.data_ptr<T>() : nullptr,
                gbias.defined() ? gbias.data_ptr<T>() : nullptr);
  });
}

}  // namespace gf::kernels
