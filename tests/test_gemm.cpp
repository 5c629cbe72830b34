// The float32 GEMM on both backends (OpenBLAS and oneDNN's sgemm, kernels/gemm.hpp) against a
// float64 triple loop, for every transpose combination and leading dimensions wider than the
// matrices, with alpha and beta; ctest runs this file once per backend (GF_GEMM=...).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <gradflow/gradflow.hpp>
#include <random>
#include <string>
#include <vector>

#include "../src/kernels/gemm.hpp"

namespace {

struct Case {
  bool ta, tb;
  int64_t m, n, k;
};

void check(const Case& c) {
  const int64_t lda = (c.ta ? c.m : c.k) + 3, ldb = (c.tb ? c.k : c.n) + 1, ldc = c.n + 2;
  const int64_t arows = c.ta ? c.k : c.m, brows = c.tb ? c.n : c.k;
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> u(-1, 1);
  std::vector<float> A(arows * lda), B(brows * ldb), C(c.m * ldc);
  for (auto* v : {&A, &B, &C})
    for (float& x : *v) x = u(rng);
  std::vector<float> C0 = C;
  const float alpha = 0.75f, beta = -0.5f;
  gf::kernels::gemm_raw(c.ta, c.tb, c.m, c.n, c.k, alpha, A.data(), lda, B.data(), ldb, beta,
                        C.data(), ldc);
  for (int64_t i = 0; i < c.m; ++i)
    for (int64_t j = 0; j < c.n; ++j) {
      double acc = 0;
      for (int64_t p = 0; p < c.k; ++p)
        acc += double(c.ta ? A[p * lda + i] : A[i * lda + p]) *
               double(c.tb ? B[j * ldb + p] : B[p * ldb + j]);
      const double want = alpha * acc + beta * double(C0[i * ldc + j]);
      ASSERT_NEAR(C[i * ldc + j], want, 1e-5 * (1 + std::sqrt(double(c.k))))
          << "ta=" << c.ta << " tb=" << c.tb << " at (" << i << ", " << j << ")";
    }
  for (int64_t i = 0; i < c.m; ++i)  // the padding between rows is not written
    for (int64_t j = c.n; j < ldc; ++j) ASSERT_EQ(C[i * ldc + j], C0[i * ldc + j]);
}

TEST(Gemm, Float32MatchesFloat64LoopOnEveryTranspose) {
  for (bool ta : {false, true})
    for (bool tb : {false, true}) {
      check({ta, tb, 85, 3, 5});      // seed 003's linear layer
      check({ta, tb, 33, 70, 129});   // odd sizes: every kernel's edge handling
      check({ta, tb, 1, 17, 1});
    }
}

TEST(Gemm, BackendIsTheOneAskedFor) {
  const char* env = std::getenv("GF_GEMM");
  const std::string got = gf::kernels::gemm_backend();
  if (env && *env) {
    EXPECT_EQ(got, env);
  } else {
    EXPECT_TRUE(got == "openblas" || got == "onednn") << got;
  }
}

TEST(Gemm, MatmulAgreesAcrossBackendsThroughTheTensorApi) {
  // mm on a transposed view goes through the transpose flag, not a copy; the result must equal
  // the float64 product rounded to float32 within the sum's rounding
  gf::manual_seed(3);
  gf::Tensor a = gf::randn({40, 64}), b = gf::randn({50, 64});
  gf::Tensor c = gf::mm(a, b.t());
  gf::Tensor ref = gf::mm(a.to(gf::DType::Float64), b.t().to(gf::DType::Float64));
  EXPECT_LT(gf::max(gf::abs(c.to(gf::DType::Float64) - ref)).item<double>(), 1e-4);
}

}  // namespace
