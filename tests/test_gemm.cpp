// The float32 GEMM on both backends (OpenBLAS and oneDNN's sgemm, kernels/gemm.hpp) against a
// float64 triple loop, for every transpose combination and leading dimensions wider than the
// matrices, with alpha and beta; ctest runs this file once per backend (GF_GEMM=...).
#include <gtest/gtest.h>
#include <omp.h>
#include <pthread.h>
#include <sys/time.h>

#include <cmath>
#include <csignal>
#include <cstdlib>
#include <gradflow/gradflow.hpp>
#include <random>
#include <string>
#include <thread>
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
      check({ta, tb, 85, 3, 5});     // seed 003's linear layer
      check({ta, tb, 33, 70, 129});  // odd sizes: every kernel's edge handling
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

// A signal handler that runs while sgemm does must leave the heap and the product intact
// (oneDNN's kernels use stack below the red zone: gemm.cpp defers signals around the call). A
// SIGALRM every 100 us during 2000 GEMMs of an im2col convolution's and the MLP's shapes; before
// the deferral this aborted in free() on an AVX-512 Xeon in each of 4 runs.
volatile std::sig_atomic_t g_alarms = 0;
extern "C" void count_alarm(int) { g_alarms = g_alarms + 1; }

TEST(Gemm, SignalsDuringAGemmLeaveHeapAndProductIntact) {
  struct Shape {
    bool ta, tb;
    int64_t m, n, k;
  };
  const Shape shapes[] = {{false, false, 16, 784, 75},  {true, false, 75, 784, 16},
                          {false, true, 16, 75, 784},   {false, true, 128, 256, 784},
                          {true, false, 256, 784, 128}, {false, false, 128, 10, 256}};
  std::mt19937 rng(11);
  std::uniform_real_distribution<float> u(-1, 1);
  std::vector<std::vector<float>> a, b, want;
  for (const Shape& s : shapes) {
    a.emplace_back(s.m * s.k);
    b.emplace_back(s.k * s.n);
    for (float& x : a.back()) x = u(rng);
    for (float& x : b.back()) x = u(rng);
    want.emplace_back(s.m * s.n);
    gf::kernels::gemm_raw(s.ta, s.tb, s.m, s.n, s.k, 1.f, a.back().data(), s.ta ? s.m : s.k,
                          b.back().data(), s.tb ? s.k : s.n, 0.f, want.back().data(), s.n);
  }
  struct sigaction on_alarm {
  }, saved{};
  on_alarm.sa_handler = count_alarm;  // no SA_ONSTACK: the frame goes on the interrupted stack
  ASSERT_EQ(sigaction(SIGALRM, &on_alarm, &saved), 0);
  const itimerval every_100us{{0, 100}, {0, 100}}, off{};
  g_alarms = 0;
  setitimer(ITIMER_REAL, &every_100us, nullptr);
  int64_t wrong = 0;
  for (int it = 0; it < 2000; ++it) {
    const size_t i = size_t(it) % std::size(shapes);
    const Shape& s = shapes[i];
    std::vector<float> c(s.m * s.n);
    gf::kernels::gemm_raw(s.ta, s.tb, s.m, s.n, s.k, 1.f, a[i].data(), s.ta ? s.m : s.k,
                          b[i].data(), s.tb ? s.k : s.n, 0.f, c.data(), s.n);
    wrong += c != want[i];
  }
  setitimer(ITIMER_REAL, &off, nullptr);
  sigaction(SIGALRM, &saved, nullptr);
  EXPECT_EQ(wrong, 0);
  EXPECT_GT(g_alarms, 100) << "the timer hardly fired: the test proved nothing";
  // the caller's signal mask is what it was before the calls
  sigset_t mask;
  pthread_sigmask(SIG_BLOCK, nullptr, &mask);
  EXPECT_FALSE(sigismember(&mask, SIGALRM));
  EXPECT_FALSE(sigismember(&mask, SIGINT));
}

// A process-directed signal goes to any thread that does not block it: the OpenMP threads that
// run oneDNN's sgemm beside the caller must block them for good, the caller only during a call.
TEST(Gemm, OneDnnsOpenMpThreadsKeepAsynchronousSignalsBlocked) {
  if (std::string(gf::kernels::gemm_backend()) != "onednn")
    GTEST_SKIP() << "the signal deferral is on the oneDNN path only (GF_GEMM=openblas)";
  // A new thread has a new OpenMP team, whose worker starts here before any sgemm (one created
  // during a call would inherit the caller's blocked mask and prove nothing).
  int blocked[2] = {-1, -1};
  float c00 = 0;
  std::thread caller([&] {
    omp_set_num_threads(2);
    int team = 0;
#pragma omp parallel num_threads(2)
    {
#pragma omp atomic
      ++team;
    }
    ASSERT_EQ(team, 2);
    std::vector<float> a(64 * 64, 1.f), c(64 * 64);
    gf::kernels::gemm_raw(false, false, 64, 64, 64, 1.f, a.data(), 64, a.data(), 64, 0.f, c.data(),
                          64);
    c00 = c[0];
#pragma omp parallel num_threads(2)
    {
      sigset_t mask;
      pthread_sigmask(SIG_BLOCK, nullptr, &mask);
      blocked[omp_get_thread_num()] = sigismember(&mask, SIGINT) && sigismember(&mask, SIGALRM);
    }
  });
  caller.join();
  EXPECT_EQ(c00, 64.f);
  EXPECT_EQ(blocked[0], 0) << "the caller's mask must be restored after the call";
  EXPECT_EQ(blocked[1], 1) << "the OpenMP worker must block SIGINT and SIGALRM";
}

}  // namespace
