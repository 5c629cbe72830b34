// Elementwise loops on raw strided buffers: the contiguous fast path is a flat loop the compiler
// vectorizes (`omp simd`: out may alias an input only element for element, never shifted, so the
// iterations are independent; without it GCC kept these loops scalar, e.g. floor as roundss);
// broadcasting and views go through a strided N-d walk whose inner loop is the last dim. OpenMP
// only above kParallelThreshold elements, so tiny tensors pay no threading cost.
#pragma once
#include <array>
#include <algorithm>
#include <cstdint>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "../core/thread_policy.hpp"
#include "gradflow/tensor.hpp"

namespace gf::kernels {

constexpr int64_t kParallelThreshold = 1 << 16;

// Calls f(begin, end) over [0, n), split across threads when the work (n items of
// `cost` elements each, e.g. rows of a softmax) is large enough to pay for waking them.
template <class F>
void parallel_for(int64_t n, F&& f, int64_t cost = 1) {
  if (n < 2 || n * cost < kParallelThreshold) {
    f(int64_t{0}, n);
    return;
  }
  gf::detail::adapt_threads();  // one thread while the machine is busy (thread_policy.hpp)
#pragma omp parallel
  {
#ifdef _OPENMP
    int nt = omp_get_num_threads(), id = omp_get_thread_num();
#else
    int nt = 1, id = 0;
#endif
    int64_t chunk = (n + nt - 1) / nt;
    int64_t b = std::min<int64_t>(n, id * chunk), e = std::min<int64_t>(n, b + chunk);
    if (b < e) f(b, e);
  }
}

// Strides of t aligned to an `ndim`-dim broadcast shape (0 along broadcast dims).
inline Shape broadcast_strides(const TensorImpl& t, const Shape& out_shape) {
  std::size_t n = out_shape.size(), k = t.sizes.size();
  Shape s = Shape::filled(n, 0);
  for (std::size_t i = 0; i < k; ++i) {
    std::size_t o = n - k + i;
    s[o] = t.sizes[i] == 1 && out_shape[o] != 1 ? 0 : t.strides[i];
  }
  return s;
}

// Walks every index of `shape`, calling inner(offsets, count, inner_strides) once per run of the
// last dim, with K operands' element offsets.
template <std::size_t K, class F>
void walk_strided(const Shape& shape, const std::array<Shape, K>& strides,
                  const std::array<int64_t, K>& base, F&& inner) {
  std::size_t nd = shape.size();
  if (shape.numel() == 0) return;
  if (nd == 0) {
    std::array<int64_t, K> st{};
    inner(base, int64_t{1}, st);
    return;
  }
  std::array<int64_t, K> inner_stride;
  for (std::size_t k = 0; k < K; ++k) inner_stride[k] = strides[k][nd - 1];
  int64_t count = shape[nd - 1];
  Shape idx = Shape::filled(nd, 0);
  std::array<int64_t, K> off = base;
  int64_t outer = shape.numel() / count;
  for (int64_t o = 0; o < outer; ++o) {
    inner(off, count, inner_stride);
    // advance the multi-index over dims [0, nd-1)
    for (std::size_t d = nd - 1; d-- > 0;) {
      if (++idx[d] < shape[d]) {
        for (std::size_t k = 0; k < K; ++k) off[k] += strides[k][d];
        break;
      }
      for (std::size_t k = 0; k < K; ++k) off[k] -= strides[k][d] * (shape[d] - 1);
      idx[d] = 0;
    }
  }
}

// out[i] = f(x[i]) into a new contiguous tensor of dtype Out (x's dtype In).
template <class In, class Out, class F>
void map_into(const Tensor& x, Out* out, F f) {
  const TensorImpl& xi = x.impl();
  const In* xp = static_cast<const In*>(xi.storage->data);
  if (x.is_contiguous()) {
    const In* p = xp + xi.offset;
    parallel_for(x.numel(), [&](int64_t b, int64_t e) {
#pragma omp simd
      for (int64_t i = b; i < e; ++i) out[i] = f(p[i]);
    });
    return;
  }
  int64_t pos = 0;
  walk_strided<1>(xi.sizes, {xi.strides}, {xi.offset},
                  [&](const std::array<int64_t, 1>& off, int64_t n, const std::array<int64_t, 1>& s) {
                    for (int64_t i = 0; i < n; ++i) out[pos + i] = f(xp[off[0] + i * s[0]]);
                    pos += n;
                  });
}

// A new contiguous tensor y with y[i] = f(x[i]); same dtype as x.
template <class F>
Tensor unary(const Tensor& x, F f) {
  Tensor out = empty(x.shape(), x.dtype());
  dispatch(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    map_into<T, T>(x, out.data_ptr<T>(), [&](T v) { return convert<T>(f(v)); });
  });
  return out;
}

// The input of a floating op: Bool and integer tensors promote to the default dtype, like torch.
inline Tensor to_floating(const Tensor& x) {
  return is_floating(x.dtype()) ? x : x.to(default_dtype());
}

// Same, for a floating x (callers promote integers first): f is instantiated for float and double
// only. f(v) may return another arithmetic type; it is converted to x's dtype.
template <class F>
Tensor unary_floating(const Tensor& x, F f) {
  Tensor out = empty(x.shape(), x.dtype());
  dispatch_floating(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    map_into<T, T>(x, out.data_ptr<T>(), [&](T v) { return static_cast<T>(f(v)); });
  });
  return out;
}

// A new Bool tensor out[i] = f(x[i]) (isnan, logical_not, ...), for any dtype of x.
template <class F>
Tensor unary_to_bool(const Tensor& x, F f) {
  Tensor out = empty(x.shape(), DType::Bool);
  dispatch(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    map_into<T, bool>(x, out.data_ptr<bool>(), [&](T v) { return static_cast<bool>(f(v)); });
  });
  return out;
}

// A new contiguous tensor out[i] = f(a[i], b[i]) over the broadcast shape. a and b must already
// have dtype T; the result has dtype Out.
template <class T, class Out, class F>
void binary_into(const Tensor& a, const Tensor& b, const Shape& shape, Out* out, F f) {
  const TensorImpl& ai = a.impl();
  const TensorImpl& bi = b.impl();
  const T* ap = static_cast<const T*>(ai.storage->data);
  const T* bp = static_cast<const T*>(bi.storage->data);
  int64_t n = shape.numel();
  // One element (every op of a scalar chain): broadcasting to a one-element shape needs every
  // size to be 1, so each input holds one element at its offset; no layout test is needed
  // (-6% instructions on the 1,000-op chain).
  if (n == 1) {
    out[0] = f(ap[ai.offset], bp[bi.offset]);
    return;
  }
  bool a_flat = a.is_contiguous() && ai.sizes.numel() == n;
  bool b_flat = b.is_contiguous() && bi.sizes.numel() == n;
  if (a_flat && b_flat) {
    const T* x = ap + ai.offset;
    const T* y = bp + bi.offset;
    parallel_for(n, [&](int64_t s, int64_t e) {
#pragma omp simd
      for (int64_t i = s; i < e; ++i) out[i] = f(x[i], y[i]);
    });
  } else if (a_flat && bi.sizes.numel() == 1) {
    const T* x = ap + ai.offset;
    const T y = bp[bi.offset];
    parallel_for(n, [&](int64_t s, int64_t e) {
#pragma omp simd
      for (int64_t i = s; i < e; ++i) out[i] = f(x[i], y);
    });
  } else if (b_flat && ai.sizes.numel() == 1) {
    const T x = ap[ai.offset];
    const T* y = bp + bi.offset;
    parallel_for(n, [&](int64_t s, int64_t e) {
#pragma omp simd
      for (int64_t i = s; i < e; ++i) out[i] = f(x, y[i]);
    });
  } else {
    int64_t pos = 0;
    walk_strided<2>(shape, {broadcast_strides(ai, shape), broadcast_strides(bi, shape)},
                    {ai.offset, bi.offset},
                    [&](const std::array<int64_t, 2>& off, int64_t cnt,
                        const std::array<int64_t, 2>& st) {
                      const T* x = ap + off[0];
                      const T* y = bp + off[1];
                      for (int64_t i = 0; i < cnt; ++i) out[pos + i] = f(x[i * st[0]], y[i * st[1]]);
                      pos += cnt;
                    });
  }
}

// out = f(a, b) with numpy broadcasting and type promotion; `op` names the op in errors.
template <class F>
Tensor binary(const Tensor& a, const Tensor& b, F f, const char* op) {
  auto run = [&](const Tensor& x, const Tensor& y, const Shape& shape, DType dt) {
    Tensor out = empty(shape, dt);
    dispatch(dt, [&](auto tag) {
      using T = decltype(tag);
      binary_into<T, T>(x, y, shape, out.data_ptr<T>(),
                        [&](T u, T v) { return convert<T>(f(u, v)); });
    });
    return out;
  };
  // Same shape and dtype (most calls, and every op of a scalar chain): nothing to broadcast or
  // promote, no handle copies. -10% instructions on the 1,000-op chain.
  if (a.dtype() == b.dtype() && a.sizes() == b.sizes()) return run(a, b, a.sizes(), a.dtype());
  Shape shape = broadcast_shapes(a.sizes(), b.sizes(), op);
  DType dt = result_type(a, b);
  Tensor x = a.dtype() == dt ? a : a.to(dt);
  Tensor y = b.dtype() == dt ? b : b.to(dt);
  return run(x, y, shape, dt);
}

}  // namespace gf::kernels
