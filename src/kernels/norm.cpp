// Normalization loops (kernels/norm.hpp): two passes per row for the statistics (mean, then the
// centred sum of squares, in double), one for the output; rows spread over threads.
#include "norm.hpp"

#include <cmath>
#include <vector>

#include "elementwise.hpp"

namespace gf::kernels {

namespace {

template <class T>
const T* ptr_or_null(const Tensor& t) {
  return t.defined() ? t.data_ptr<T>() : nullptr;
}

template <class T>
void forward(const T* x, const T* w, const T* b, double eps, const NormGeometry& g, T* y, T* mean,
             T* rstd) {
  const int64_t K = g.K, inner = g.inner, cpg = K / inner;
  parallel_for(
      g.rows,
      [&](int64_t r0, int64_t r1) {
        for (int64_t r = r0; r < r1; ++r) {
          const T* xr = x + r * K;
          T* yr = y + r * K;
          double s = 0, ss = 0;
#pragma omp simd reduction(+ : s)
          for (int64_t k = 0; k < K; ++k) s += xr[k];
          const double m = s / double(K);
#pragma omp simd reduction(+ : ss)
          for (int64_t k = 0; k < K; ++k) {
            const double d = double(xr[k]) - m;
            ss += d * d;
          }
          const double rs = 1.0 / std::sqrt(ss / double(K) + eps);
          mean[r] = T(m);
          rstd[r] = T(rs);
          const int64_t c0 = (r % g.groups) * cpg;
          // y = x·scale + shift per channel, scale = rstd·w, shift = b − mean·scale
          for (int64_t c = 0; c < cpg; ++c) {
            const T scale = T(rs * (w ? double(w[c0 + c]) : 1.0));
            const T shift = T((b ? double(b[c0 + c]) : 0.0) - m * double(scale));
            const T* xc = xr + c * inner;
            T* yc = yr + c * inner;
#pragma omp simd
            for (int64_t i = 0; i < inner; ++i) yc[i] = xc[i] * scale + shift;
          }
        }
      },
      K);
}

template <class T>
void backward_input(const T* gy, const T* x, const T* mean, const T* rstd, const T* w,
                    const NormGeometry& g, T* gx) {
  const int64_t K = g.K, inner = g.inner, cpg = K / inner;
  parallel_for(
      g.rows,
      [&](int64_t r0, int64_t r1) {
        for (int64_t r = r0; r < r1; ++r) {
          const T* xr = x + r * K;
          const T* gr = gy + r * K;
          T* dr = gx + r * K;
          const double m = mean[r], rs = rstd[r];
          const int64_t c0 = (r % g.groups) * cpg;
          double a = 0, bsum = 0;  // Σ ĝ, Σ ĝ·(x − mean)
          for (int64_t c = 0; c < cpg; ++c) {
            const double wc = w ? double(w[c0 + c]) : 1.0;
            double ga = 0, gb = 0;
#pragma omp simd reduction(+ : ga, gb)
            for (int64_t i = 0; i < inner; ++i) {
              const double gv = gr[c * inner + i];
              ga += gv;
              gb += gv * (double(xr[c * inner + i]) - m);
            }
            a += wc * ga;
            bsum += wc * gb;
          }
          // gx = rstd·ĝ − rstd·mean(ĝ) − (x − mean)·rstd³·mean(ĝ·(x − mean))
          const double ma = a / double(K), mb = bsum * rs * rs / double(K);
          for (int64_t c = 0; c < cpg; ++c) {
            const T scale = T(rs * (w ? double(w[c0 + c]) : 1.0));
            const T* xc = xr + c * inner;
            const T* gc = gr + c * inner;
            T* dc = dr + c * inner;
            const T cm = T(m), crs = T(rs), cma = T(ma), cmb = T(mb);
#pragma omp simd
            for (int64_t i = 0; i < inner; ++i)
              dc[i] = gc[i] * scale - crs * (cma + (xc[i] - cm) * cmb);
          }
        }
      },
      K);
}

// gweight[c] = Σ gy·x̂, gbias[c] = Σ gy over the rows r with r % groups = c / cpg and the
// elements of channel c % cpg.
template <class T>
void backward_affine(const T* gy, const T* x, const T* mean, const T* rstd, const NormGeometry& g,
                     T* gw, T* gb) {
  const int64_t K = g.K, inner = g.inner, cpg = K / inner, C = g.groups * cpg;
  const int64_t per_group = g.rows / g.groups;
  parallel_for(
      C,
      [&](int64_t c_begin, int64_t c_end) {
        if (inner == 1 && g.groups == 1) {  // layer norm: columns c_begin..c_end of every row
          std::vector<double> sw(c_end - c_begin, 0.0), sb(c_end - c_begin, 0.0);
          for (int64_t r = 0; r < g.rows; ++r) {
            const T* xr = x + r * K + c_begin;
            const T* gr = gy + r * K + c_begin;
            const double m = mean[r], rs = rstd[r];
            for (int64_t k = 0; k < c_end - c_begin; ++k) {
              sw[k] += double(gr[k]) * (double(xr[k]) - m) * rs;
              sb[k] += double(gr[k]);
            }
          }
          for (int64_t k = 0; k < c_end - c_begin; ++k) {
            if (gw) gw[c_begin + k] = T(sw[k]);
            if (gb) gb[c_begin + k] = T(sb[k]);
          }
          return;
        }
        for (int64_t c = c_begin; c < c_end; ++c) {
          const int64_t group = c / cpg, j = c % cpg;
          double sw = 0, sb = 0;
          for (int64_t n = 0; n < per_group; ++n) {
            const int64_t r = n * g.groups + group;
            const T* xc = x + r * K + j * inner;
            const T* gc = gy + r * K + j * inner;
            const double m = mean[r], rs = rstd[r];
            double a = 0, bsum = 0;
#pragma omp simd reduction(+ : a, bsum)
            for (int64_t i = 0; i < inner; ++i) {
              a += double(gc[i]);
              bsum += double(gc[i]) * (double(xc[i]) - m);
            }
            sw += bsum * rs;
            sb += a;
          }
          if (gw) gw[c] = T(sw);
          if (gb) gb[c] = T(sb);
        }
      },
      g.rows * inner);
}

}  // namespace

void norm_forward(const Tensor& x, const Tensor& weight, const Tensor& bias, double eps,
                  const NormGeometry& g, Tensor& y, Tensor& mean, Tensor& rstd) {
  dispatch_floating(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    forward<T>(x.data_ptr<T>(), ptr_or_null<T>(weight), ptr_or_null<T>(bias), eps, g,
               y.data_ptr<T>(), mean.data_ptr<T>(), rstd.data_ptr<T>());
  });
}

void norm_backward(const Tensor& gy, const Tensor& x, const Tensor& mean, const Tensor& rstd,
                   const Tensor& weight, const NormGeometry& g, Tensor& gx, Tensor& gweight,
                   Tensor& gbias) {
  dispatch_floating(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if (gx.defined())
      backward_input<T>(gy.data_ptr<T>(), x.data_ptr<T>(), mean.data_ptr<T>(), rstd.data_ptr<T>(),
                        ptr_or_null<T>(weight), g, gx.data_ptr<T>());
    if (gweight.defined() || gbias.defined())
      backward_affine<T>(gy.data_ptr<T>(), x.data_ptr<T>(), mean.data_ptr<T>(), rstd.data_ptr<T>(),
                         g, gweight.defined() ? gweight.data_ptr<T>() : nullptr,
                         gbias.defined() ? gbias.data_ptr<T>() : nullptr);
  });
}

}  // namespace gf::kernels
