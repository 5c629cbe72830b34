#include "gemm.hpp"

#include <cblas.h>
#include <dnnl.h>
#include <omp.h>
#include <pthread.h>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "../core/thread_policy.hpp"

namespace gf::kernels {

namespace {

constexpr int64_t kThreadedGemmWork = 1 << 16;

bool use_onednn() {
  static const bool chosen = [] {
    if (const char* env = std::getenv("GF_GEMM"); env && *env)
      return std::string_view(env) == "onednn";
    // OpenBLAS's DYNAMIC_ARCH cores without AVX2/FMA kernels
    static constexpr std::string_view kPreAvx2[] = {
        "Prescott",    "Core2",      "Penryn",    "Dunnington",   "Nehalem", "Atom",
        "Sandybridge", "Barcelona",  "Opteron",   "Opteron_SSE3", "Bobcat",  "Bulldozer",
        "Katmai",      "Coppermine", "Northwood", "Banias"};
    const std::string_view core = openblas_get_corename();
    const bool generic =
        std::find(std::begin(kPreAvx2), std::end(kPreAvx2), core) != std::end(kPreAvx2);
    return generic && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  }();
  return chosen;
}

// How to hand a 2-D view to BLAS: row-major with leading dim, possibly transposed.
struct BlasView {
  Tensor t;  // keeps a copy alive when one was needed
  CBLAS_TRANSPOSE trans = CblasNoTrans;
  int ld = 1;
};

BlasView as_blas(const Tensor& x) {
  const Shape& s = x.sizes();
  const Shape& st = x.strides();
  int64_t rows = s[0], cols = s[1];
  if ((cols == 1 || st[1] == 1) && (rows == 1 || st[0] >= std::max<int64_t>(1, cols)))
    return {x, CblasNoTrans, static_cast<int>(rows == 1 ? std::max<int64_t>(1, cols) : st[0])};
  if ((rows == 1 || st[0] == 1) && (cols == 1 || st[1] >= std::max<int64_t>(1, rows)))
    return {x, CblasTrans, static_cast<int>(cols == 1 ? std::max<int64_t>(1, rows) : st[1])};
  Tensor c = x.detach().contiguous();
  return {c, CblasNoTrans, static_cast<int>(std::max<int64_t>(1, cols))};
}

// oneDNN 2.6's sgemm kernels keep data below the stack pointer, past the 128-byte red zone the
// x86-64 ABI leaves to a function; a signal handler's frame is written there and the heap is
// corrupted. Measured on a Xeon with AVX-512: with a SIGALRM handler every 200 us, 200k sgemms
// of the MLP's shapes abort in free() ("double free or corruption"), and `gradflow train` died
// with SIGSEGV after one SIGINT in 2-4 runs of 40; with the handler on an alternate stack
// (sigaltstack, SA_ONSTACK) nothing goes wrong. A library cannot choose its caller's handler
// flags (Python installs SIGINT's), so asynchronous signals wait until sgemm returns: blocked on
// the calling thread for the call, and for good on the OpenMP threads of its team, so that the
// kernel hands a process-directed signal to the caller, which takes it after the call. The
// synchronous signals (a fault in the call) are not blocked.
sigset_t async_signals() {
  sigset_t set;
  sigfillset(&set);
  for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGABRT, SIGSYS}) sigdelset(&set, sig);
  return set;
}

class AsyncSignalsDeferred {
 public:
  AsyncSignalsDeferred() {
    static const sigset_t set = async_signals();
    pthread_sigmask(SIG_BLOCK, &set, &saved_);
    // A team created later inherits this mask; one created before gets it here, once per size.
    thread_local int masked_team = 1;
    if (const int team = omp_get_max_threads(); team > masked_team) {
#pragma omp parallel num_threads(team)
      if (omp_get_thread_num() != 0) pthread_sigmask(SIG_BLOCK, &set, nullptr);
      masked_team = team;
    }
  }
  ~AsyncSignalsDeferred() { pthread_sigmask(SIG_SETMASK, &saved_, nullptr); }
  AsyncSignalsDeferred(const AsyncSignalsDeferred&) = delete;
  AsyncSignalsDeferred& operator=(const AsyncSignalsDeferred&) = delete;

 private:
  sigset_t saved_;
};

}  // namespace

const char* gemm_backend() { return use_onednn() ? "onednn" : "openblas"; }

void gemm_raw(bool ta, bool tb, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
              int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  if (use_onednn()) {
    AsyncSignalsDeferred deferred;
    // row-major, like CBLAS with CblasRowMajor
    dnnl_sgemm(ta ? 'T' : 'N', tb ? 'T' : 'N', m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    return;
  }
  cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, int(m),
              int(n), int(k), alpha, a, int(lda), b, int(ldb), beta, c, int(ldc));
}

void gemm_raw(bool ta, bool tb, int64_t m, int64_t n, int64_t k, double alpha, const double* a,
              int64_t lda, const double* b, int64_t ldb, double beta, double* c, int64_t ldc) {
  cblas_dgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, int(m),
              int(n), int(k), alpha, a, int(lda), b, int(ldb), beta, c, int(ldc));
}

void gemm(const Tensor& a, const Tensor& b, Tensor& out, double alpha, double beta) {
  const int m = static_cast<int>(a.sizes()[0]), k = static_cast<int>(a.sizes()[1]);
  const int n = static_cast<int>(b.sizes()[1]);
  if (m == 0 || n == 0) return;
  if (a.dtype() == DType::Int64) {
    Tensor ac = a.detach().contiguous(), bc = b.detach().contiguous();
    const int64_t* A = ac.data_ptr<int64_t>();
    const int64_t* B = bc.data_ptr<int64_t>();
    int64_t* C = out.data_ptr<int64_t>();
    for (int i = 0; i < m; ++i)
      for (int j = 0; j < n; ++j) {
        int64_t acc = 0;
        for (int p = 0; p < k; ++p) acc += A[i * k + p] * B[p * n + j];
        C[i * n + j] = static_cast<int64_t>(alpha * acc + beta * C[i * n + j]);
      }
    return;
  }
  // OpenBLAS threads only GEMMs of this size or more: the smaller ones need no policy check
  if (static_cast<int64_t>(m) * n * k >= kThreadedGemmWork) detail::adapt_threads();
  BlasView A = as_blas(a), B = as_blas(b);
  const int ldc = std::max(1, n);
  const bool ta = A.trans == CblasTrans, tb = B.trans == CblasTrans;
  if (a.dtype() == DType::Float32) {
    gemm_raw(ta, tb, m, n, k, static_cast<float>(alpha), A.t.data_ptr<float>(), A.ld,
             B.t.data_ptr<float>(), B.ld, static_cast<float>(beta), out.data_ptr<float>(), ldc);
  } else {
    gemm_raw(ta, tb, m, n, k, alpha, A.t.data_ptr<double>(), A.ld, B.t.data_ptr<double>(), B.ld,
             beta, out.data_ptr<double>(), ldc);
  }
}

}  // namespace gf::kernels
