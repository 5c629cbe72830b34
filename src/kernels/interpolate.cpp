// Interpolation loops (kernels/interpolate.hpp): one pass over each output plane; the weights
// are cast once to the element type, as torch keeps them in it.
#include "interpolate.hpp"

#include <algorithm>

#include "elementwise.hpp"

namespace gf::kernels {

namespace {

template <class T>
struct TapsT {
  int64_t i0, i1;
  T w0, w1;
};

template <class T>
std::vector<TapsT<T>> cast(const std::vector<Taps>& t) {
  std::vector<TapsT<T>> r;
  r.reserve(t.size());
  for (const Taps& a : t) r.push_back({a.i0, a.i1, T(a.w0), T(a.w1)});
  return r;
}

template <class T>
void forward(const T* x, T* y, const InterpolateGeometry& g) {
  const int64_t P = g.P(), Q = g.Q(), HW = g.H * g.W;
  const auto rows = cast<T>(g.rows), cols = cast<T>(g.cols);
  parallel_for(
      g.planes,
      [&](int64_t n0, int64_t n1) {
        for (int64_t n = n0; n < n1; ++n) {
          const T* in = x + n * HW;
          T* out = y + n * P * Q;
          for (int64_t p = 0; p < P; ++p) {
            const TapsT<T>& r = rows[p];
            const T* r0 = in + r.i0 * g.W;
            const T* r1 = in + r.i1 * g.W;
            T* o = out + p * Q;
            if (g.nearest) {
              for (int64_t q = 0; q < Q; ++q) o[q] = r0[cols[q].i0];
            } else {
              for (int64_t q = 0; q < Q; ++q) {
                const TapsT<T>& c = cols[q];
                o[q] = r.w0 * (c.w0 * r0[c.i0] + c.w1 * r0[c.i1]) +
                       r.w1 * (c.w0 * r1[c.i0] + c.w1 * r1[c.i1]);
              }
            }
          }
        }
      },
      P * Q);
}

template <class T>
void backward(const T* gy, T* gx, const InterpolateGeometry& g) {
  const int64_t P = g.P(), Q = g.Q(), HW = g.H * g.W;
  const auto rows = cast<T>(g.rows), cols = cast<T>(g.cols);
  parallel_for(
      g.planes,
      [&](int64_t n0, int64_t n1) {
        std::fill(gx + n0 * HW, gx + n1 * HW, T(0));
        for (int64_t n = n0; n < n1; ++n) {
          T* in = gx + n * HW;
          const T* out = gy + n * P * Q;
          for (int64_t p = 0; p < P; ++p) {
            const TapsT<T>& r = rows[p];
            T* r0 = in + r.i0 * g.W;
            T* r1 = in + r.i1 * g.W;
            const T* o = out + p * Q;
            if (g.nearest) {
              for (int64_t q = 0; q < Q; ++q) r0[cols[q].i0] += o[q];
            } else {
              for (int64_t q = 0; q < Q; ++q) {
                const TapsT<T>& c = cols[q];
                const T a = r.w0 * o[q], b = r.w1 * o[q];
                r0[c.i0] += c.w0 * a;
                r0[c.i1] += c.w1 * a;
                r1[c.i0] += c.w0 * b;
                r1[c.i1] += c.w1 * b;
              }
            }
          }
        }
      },
      P * Q);
}

}  // namespace

void interpolate_forward(const Tensor& x, Tensor& y, const InterpolateGeometry& g) {
  dispatch_floating(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    forward<T>(x.data_ptr<T>(), y.data_ptr<T>(), g);
  });
}

void interpolate_backward(const Tensor& gy, Tensor& gx, const InterpolateGeometry& g) {
  dispatch_floating(gy.dtype(), [&](auto tag) {
    using T = decltype(tag);
    backward<T>(gy.data_ptr<T>(), gx.data_ptr<T>(), g);
  });
}

}  // namespace gf::kernels
