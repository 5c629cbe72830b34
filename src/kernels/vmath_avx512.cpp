// SLEEF's AVX-512F functions (compiled with -mavx512f -mfma; called only when the CPU has them).
#include <immintrin.h>
#include <sleef.h>

#include "vmath_table.hpp"

namespace gf::kernels::detail {

namespace {

// sigmoid(x) = 1 / (1 + exp(-x)): PyTorch's vector formula, so the bits match torch.sigmoid
__m512 sigmoidf16(__m512 x) {
  __m512 one = _mm512_set1_ps(1.0f);
  return _mm512_div_ps(
      one, _mm512_add_ps(one, Sleef_expf16_u10avx512f(_mm512_sub_ps(_mm512_setzero_ps(), x))));
}
__m512d sigmoidd8(__m512d x) {
  __m512d one = _mm512_set1_pd(1.0);
  return _mm512_div_pd(
      one, _mm512_add_pd(one, Sleef_expd8_u10avx512f(_mm512_sub_pd(_mm512_setzero_pd(), x))));
}

// One loop per function (a macro: GCC drops the vector types' attributes on template arguments).
#define GF_MAP(name, T, load, store, lanes, F)                           \
  void name(const T* x, T* y, int64_t n) {                               \
    for (int64_t i = 0; i < n; i += lanes) store(y + i, F(load(x + i))); \
  }
GF_MAP(exp_float, float, _mm512_loadu_ps, _mm512_storeu_ps, 16, Sleef_expf16_u10avx512f)
GF_MAP(exp_double, double, _mm512_loadu_pd, _mm512_storeu_pd, 8, Sleef_expd8_u10avx512f)
GF_MAP(log_float, float, _mm512_loadu_ps, _mm512_storeu_ps, 16, Sleef_logf16_u10avx512f)
GF_MAP(log_double, double, _mm512_loadu_pd, _mm512_storeu_pd, 8, Sleef_logd8_u10avx512f)
GF_MAP(log1p_float, float, _mm512_loadu_ps, _mm512_storeu_ps, 16, Sleef_log1pf16_u10avx512f)
GF_MAP(log1p_double, double, _mm512_loadu_pd, _mm512_storeu_pd, 8, Sleef_log1pd8_u10avx512f)
GF_MAP(expm1_float, float, _mm512_loadu_ps, _mm512_storeu_ps, 16, Sleef_expm1f16_u10avx512f)
GF_MAP(expm1_double, double, _mm512_loadu_pd, _mm512_storeu_pd, 8, Sleef_expm1d8_u10avx512f)
GF_MAP(tanh_float, float, _mm512_loadu_ps, _mm512_storeu_ps, 16, Sleef_tanhf16_u10avx512f)
GF_MAP(tanh_double, double, _mm512_loadu_pd, _mm512_storeu_pd, 8, Sleef_tanhd8_u10avx512f)
GF_MAP(sigmoid_float, float, _mm512_loadu_ps, _mm512_storeu_ps, 16, sigmoidf16)
GF_MAP(sigmoid_double, double, _mm512_loadu_pd, _mm512_storeu_pd, 8, sigmoidd8)
GF_MAP(erf_float, float, _mm512_loadu_ps, _mm512_storeu_ps, 16, Sleef_erff16_u10avx512f)
GF_MAP(erf_double, double, _mm512_loadu_pd, _mm512_storeu_pd, 8, Sleef_erfd8_u10avx512f)
GF_MAP(sin_float, float, _mm512_loadu_ps, _mm512_storeu_ps, 16, Sleef_sinf16_u10avx512f)
GF_MAP(sin_double, double, _mm512_loadu_pd, _mm512_storeu_pd, 8, Sleef_sind8_u10avx512f)
GF_MAP(cos_float, float, _mm512_loadu_ps, _mm512_storeu_ps, 16, Sleef_cosf16_u10avx512f)
GF_MAP(cos_double, double, _mm512_loadu_pd, _mm512_storeu_pd, 8, Sleef_cosd8_u10avx512f)
GF_MAP(tan_float, float, _mm512_loadu_ps, _mm512_storeu_ps, 16, Sleef_tanf16_u10avx512f)
GF_MAP(tan_double, double, _mm512_loadu_pd, _mm512_storeu_pd, 8, Sleef_tand8_u10avx512f)
GF_MAP(asin_float, float, _mm512_loadu_ps, _mm512_storeu_ps, 16, Sleef_asinf16_u10avx512f)
GF_MAP(asin_double, double, _mm512_loadu_pd, _mm512_storeu_pd, 8, Sleef_asind8_u10avx512f)
GF_MAP(acos_float, float, _mm512_loadu_ps, _mm512_storeu_ps, 16, Sleef_acosf16_u10avx512f)
GF_MAP(acos_double, double, _mm512_loadu_pd, _mm512_storeu_pd, 8, Sleef_acosd8_u10avx512f)
GF_MAP(atan_float, float, _mm512_loadu_ps, _mm512_storeu_ps, 16, Sleef_atanf16_u10avx512f)
GF_MAP(atan_double, double, _mm512_loadu_pd, _mm512_storeu_pd, 8, Sleef_atand8_u10avx512f)
GF_MAP(log2_float, float, _mm512_loadu_ps, _mm512_storeu_ps, 16, Sleef_log2f16_u10avx512f)
GF_MAP(log2_double, double, _mm512_loadu_pd, _mm512_storeu_pd, 8, Sleef_log2d8_u10avx512f)
GF_MAP(log10_float, float, _mm512_loadu_ps, _mm512_storeu_ps, 16, Sleef_log10f16_u10avx512f)
GF_MAP(log10_double, double, _mm512_loadu_pd, _mm512_storeu_pd, 8, Sleef_log10d8_u10avx512f)
GF_MAP(erfc_float, float, _mm512_loadu_ps, _mm512_storeu_ps, 16, Sleef_erfcf16_u15avx512f)
GF_MAP(erfc_double, double, _mm512_loadu_pd, _mm512_storeu_pd, 8, Sleef_erfcd8_u15avx512f)
#undef GF_MAP

const VectorTable table = {
    "avx512",
    16,
    8,
    {exp_float, log_float, log1p_float, expm1_float, tanh_float, sigmoid_float, erf_float,
     sin_float, cos_float, tan_float, asin_float, acos_float, atan_float, log2_float, log10_float, erfc_float},
    {exp_double, log_double, log1p_double, expm1_double, tanh_double, sigmoid_double, erf_double,
     sin_double, cos_double, tan_double, asin_double, acos_double, atan_double, log2_double, log10_double, erfc_double},
};

}  // namespace

const VectorTable* avx512_table() { return &table; }

}  // namespace gf::kernels::detail
