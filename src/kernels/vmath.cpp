// The dispatcher for vmath.hpp: picks the widest SLEEF table once, runs whole vectors through it
// and finishes the last partial vector the way PyTorch 1.13 does, so every element has torch's
// bits whatever the length:
//   exp, log, log1p, expm1, tanh, erf: torch's vml::map loads the tail zero-padded and calls the
//     same vector function (here: copy to a padded buffer, one vector call);
//   sigmoid: torch's vectorized_loop runs blocks of 2 AVX2 vectors (16 floats / 8 doubles) and
//     the rest through its scalar lambda 1 / (1 + std::exp(-x)).
// The split across threads is on those block boundaries, so the result does not depend on the
// thread count either.
#include "vmath.hpp"

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "elementwise.hpp"
#include "vmath_table.hpp"

static_assert(static_cast<int>(gf::kernels::VectorFn::Count) == gf::kernels::detail::kVectorFns);

namespace gf::kernels {

namespace {

using detail::VectorTable;

const VectorTable* pick_table() {
  const char* cap = std::getenv("GF_CPU_CAPABILITY");
  std::string_view want = cap && *cap ? cap : "avx512";
  __builtin_cpu_init();
  bool avx512 = __builtin_cpu_supports("avx512f");
  bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  if (want == "avx512" && avx512) return detail::avx512_table();
  if ((want == "avx512" || want == "avx2") && avx2) return detail::avx2_table();
  return nullptr;  // "default", or a CPU without AVX2: the scalar libm loop
}

const VectorTable* table() {
  static const VectorTable* t = pick_table();
  return t;
}

// The scalar forms: torch's scalar lambdas, used for sigmoid's tail and without AVX2.
template <class T>
T scalar(VectorFn fn, T x) {
  switch (fn) {
    case VectorFn::Exp:
      return std::exp(x);
    case VectorFn::Log:
      return std::log(x);
    case VectorFn::Log1p:
      return std::log1p(x);
    case VectorFn::Expm1:
      return std::expm1(x);
    case VectorFn::Tanh:
      return std::tanh(x);
    case VectorFn::Sigmoid:
      return T{1} / (T{1} + std::exp(-x));
    case VectorFn::Erf:
      return std::erf(x);
    case VectorFn::Sin:
      return std::sin(x);
    case VectorFn::Cos:
      return std::cos(x);
    case VectorFn::Tan:
      return std::tan(x);
    case VectorFn::Asin:
      return std::asin(x);
    case VectorFn::Acos:
      return std::acos(x);
    case VectorFn::Atan:
      return std::atan(x);
    case VectorFn::Log2:
      return std::log2(x);
    case VectorFn::Log10:
      return std::log10(x);
    case VectorFn::Erfc:
      return std::erfc(x);
    default:
      return x;
  }
}

// torch's scalar-tail block: two AVX2 vectors
template <class T>
constexpr int64_t kBlock = 32 / sizeof(T) * 2;

template <class T>
void map_with(const VectorTable* t, VectorFn fn, const T* x, T* y, int64_t n) {
  if (!t) {
    for (int64_t i = 0; i < n; ++i) y[i] = scalar(fn, x[i]);
    return;
  }
  int64_t lanes;
  void (*f)(const T*, T*, int64_t);
  if constexpr (sizeof(T) == 4) {
    lanes = t->float_lanes;
    f = t->f32[static_cast<int>(fn)];
  } else {
    lanes = t->double_lanes;
    f = t->f64[static_cast<int>(fn)];
  }
  if (fn == VectorFn::Sigmoid) {
    int64_t whole = n / kBlock<T> * kBlock<T>;
    if (whole) f(x, y, whole);
    for (int64_t i = whole; i < n; ++i) y[i] = scalar(fn, x[i]);
    return;
  }
  int64_t whole = n / lanes * lanes;
  if (whole) f(x, y, whole);
  if (whole == n) return;
  alignas(64) T in[16] = {}, out[16];
  std::memcpy(in, x + whole, (n - whole) * sizeof(T));
  f(in, out, lanes);
  std::memcpy(y + whole, out, (n - whole) * sizeof(T));
}

// Transcendentals cost ~10-40 simple ops each: threads pay off at a few thousand elements.
constexpr int64_t kCostPerElement = 16;

}  // namespace

void vector_map(VectorFn fn, const float* x, float* y, int64_t n) {
  map_with(table(), fn, x, y, n);
}
void vector_map(VectorFn fn, const double* x, double* y, int64_t n) {
  map_with(table(), fn, x, y, n);
}

const char* vector_capability() { return table() ? table()->name : "default"; }

Tensor vector_unary(const Tensor& x0, VectorFn fn) {
  GF_CHECK(is_floating(x0.dtype()), "vector_unary: expected a floating tensor, got ",
           dtype_name(x0.dtype()));
  Tensor x = x0.is_contiguous() ? x0 : x0.contiguous();
  Tensor out = empty(x.shape(), x.dtype());
  dispatch_floating(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* p = x.data_ptr<T>();
    T* o = out.data_ptr<T>();
    int64_t n = x.numel(), blocks = (n + kBlock<T> - 1) / kBlock<T>;
    parallel_for(
        blocks,
        [&](int64_t b, int64_t e) {
          int64_t lo = b * kBlock<T>, hi = std::min(n, e * kBlock<T>);
          vector_map(fn, p + lo, o + lo, hi - lo);
        },
        kBlock<T> * kCostPerElement);
  });
  return out;
}

}  // namespace gf::kernels
