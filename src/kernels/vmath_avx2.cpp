// SLEEF's AVX2 functions (compiled with -mavx2 -mfma; called only when the CPU has them).
#include <immintrin.h>
#include <sleef.h>

#include "vmath_table.hpp"

namespace gf::kernels::detail {

namespace {

// sigmoid(x) = 1 / (1 + exp(-x)): PyTorch's vector formula, so the bits match torch.sigmoid
__m256 sigmoidf8(__m256 x) {
  __m256 one = _mm256_set1_ps(1.0f);
  return _mm256_div_ps(
      one, _mm256_add_ps(one, Sleef_expf8_u10avx2(_mm256_sub_ps(_mm256_setzero_ps(), x))));
}
__m256d sigmoidd4(__m256d x) {
  __m256d one = _mm256_set1_pd(1.0);
  return _mm256_div_pd(
      one, _mm256_add_pd(one, Sleef_expd4_u10avx2(_mm256_sub_pd(_mm256_setzero_pd(), x))));
}

// One loop per function (a macro: GCC drops the vector types' attributes on template arguments).
#define GF_MAP(name, T, load, store, lanes, F)                           \
  void name(const T* x, T* y, int64_t n) {                               \
    for (int64_t i = 0; i < n; i += lanes) store(y + i, F(load(x + i))); \
  }
GF_MAP(exp_float, float, _mm256_loadu_ps, _mm256_storeu_ps, 8, Sleef_expf8_u10avx2)
GF_MAP(exp_double, double, _mm256_loadu_pd, _mm256_storeu_pd, 4, Sleef_expd4_u10avx2)
GF_MAP(log_float, float, _mm256_loadu_ps, _mm256_storeu_ps, 8, Sleef_logf8_u10avx2)
GF_MAP(log_double, double, _mm256_loadu_pd, _mm256_storeu_pd, 4, Sleef_logd4_u10avx2)
GF_MAP(log1p_float, float, _mm256_loadu_ps, _mm256_storeu_ps, 8, Sleef_log1pf8_u10avx2)
GF_MAP(log1p_double, double, _mm256_loadu_pd, _mm256_storeu_pd, 4, Sleef_log1pd4_u10avx2)
GF_MAP(expm1_float, float, _mm256_loadu_ps, _mm256_storeu_ps, 8, Sleef_expm1f8_u10avx2)
GF_MAP(expm1_double, double, _mm256_loadu_pd, _mm256_storeu_pd, 4, Sleef_expm1d4_u10avx2)
GF_MAP(tanh_float, float, _mm256_loadu_ps, _mm256_storeu_ps, 8, Sleef_tanhf8_u10avx2)
GF_MAP(tanh_double, double, _mm256_loadu_pd, _mm256_storeu_pd, 4, Sleef_tanhd4_u10avx2)
GF_MAP(sigmoid_float, float, _mm256_loadu_ps, _mm256_storeu_ps, 8, sigmoidf8)
GF_MAP(sigmoid_double, double, _mm256_loadu_pd, _mm256_storeu_pd, 4, sigmoidd4)
GF_MAP(erf_float, float, _mm256_loadu_ps, _mm256_storeu_ps, 8, Sleef_erff8_u10avx2)
GF_MAP(erf_double, double, _mm256_loadu_pd, _mm256_storeu_pd, 4, Sleef_erfd4_u10avx2)
GF_MAP(sin_float, float, _mm256_loadu_ps, _mm256_storeu_ps, 8, Sleef_sinf8_u10avx2)
GF_MAP(sin_double, double, _mm256_loadu_pd, _mm256_storeu_pd, 4, Sleef_sind4_u10avx2)
GF_MAP(cos_float, float, _mm256_loadu_ps, _mm256_storeu_ps, 8, Sleef_cosf8_u10avx2)
GF_MAP(cos_double, double, _mm256_loadu_pd, _mm256_storeu_pd, 4, Sleef_cosd4_u10avx2)
GF_MAP(tan_float, float, _mm256_loadu_ps, _mm256_storeu_ps, 8, Sleef_tanf8_u10avx2)
GF_MAP(tan_double, double, _mm256_loadu_pd, _mm256_storeu_pd, 4, Sleef_tand4_u10avx2)
GF_MAP(asin_float, float, _mm256_loadu_ps, _mm256_storeu_ps, 8, Sleef_asinf8_u10avx2)
GF_MAP(asin_double, double, _mm256_loadu_pd, _mm256_storeu_pd, 4, Sleef_asind4_u10avx2)
GF_MAP(acos_float, float, _mm256_loadu_ps, _mm256_storeu_ps, 8, Sleef_acosf8_u10avx2)
GF_MAP(acos_double, double, _mm256_loadu_pd, _mm256_storeu_pd, 4, Sleef_acosd4_u10avx2)
GF_MAP(atan_float, float, _mm256_loadu_ps, _mm256_storeu_ps, 8, Sleef_atanf8_u10avx2)
GF_MAP(atan_double, double, _mm256_loadu_pd, _mm256_storeu_pd, 4, Sleef_atand4_u10avx2)
GF_MAP(log2_float, float, _mm256_loadu_ps, _mm256_storeu_ps, 8, Sleef_log2f8_u10avx2)
GF_MAP(log2_double, double, _mm256_loadu_pd, _mm256_storeu_pd, 4, Sleef_log2d4_u10avx2)
GF_MAP(log10_float, float, _mm256_loadu_ps, _mm256_storeu_ps, 8, Sleef_log10f8_u10avx2)
GF_MAP(log10_double, double, _mm256_loadu_pd, _mm256_storeu_pd, 4, Sleef_log10d4_u10avx2)
GF_MAP(erfc_float, float, _mm256_loadu_ps, _mm256_storeu_ps, 8, Sleef_erfcf8_u15avx2)
GF_MAP(erfc_double, double, _mm256_loadu_pd, _mm256_storeu_pd, 4, Sleef_erfcd4_u15avx2)
#undef GF_MAP

const VectorTable table = {
    "avx2",
    8,
    4,
    {exp_float, log_float, log1p_float, expm1_float, tanh_float, sigmoid_float, erf_float,
     sin_float, cos_float, tan_float, asin_float, acos_float, atan_float, log2_float, log10_float, erfc_float},
    {exp_double, log_double, log1p_double, expm1_double, tanh_double, sigmoid_double, erf_double,
     sin_double, cos_double, tan_double, asin_double, acos_double, atan_double, log2_double, log10_double, erfc_double},
};

}  // namespace

const VectorTable* avx2_table() { return &table; }

}  // namespace gf::kernels::detail
