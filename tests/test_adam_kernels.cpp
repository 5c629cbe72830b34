// Adam's element loop at every vector width the CPU has computes the same bits as the
// x86-64-v2 loop (src/optim/adam_kernel.hpp: no FMA contraction, only correctly rounded
// operations), for every flag combination, both dtypes, and lengths that leave vector tails.
// The numbers themselves are checked against PyTorch in test_optim.
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "../src/optim/adam_kernel.hpp"

namespace {
using gf::optim::detail::AdamKernels;
using gf::optim::detail::AdamScalars;

template <class T>
AdamScalars<T> scalars(double lr, double wd, int64_t t) {
  const double b1 = 0.9, b2 = 0.999;
  return {T(1),
          static_cast<T>(1 - lr * wd),
          static_cast<T>(wd),
          static_cast<T>(b1),
          static_cast<T>(1 - b1),
          static_cast<T>(b2),
          static_cast<T>(1 - b2),
          static_cast<T>(std::sqrt(1 - std::pow(b2, double(t)))),
          static_cast<T>(1e-8),
          static_cast<T>(-(lr / (1 - std::pow(b1, double(t)))))};
}

// Three steps of the kernel `pick` from the same state; returns p, m, v, vmax end to end.
template <class T, class Pick>
std::vector<T> run(const AdamKernels& table, Pick pick, int64_t n) {
  std::mt19937 rng(7);
  std::normal_distribution<double> normal;
  std::vector<T> p(n), g(n), m(n, T(0)), v(n, T(0)), vmax(n, T(0));
  for (int64_t i = 0; i < n; ++i) p[i] = T(normal(rng)), g[i] = T(normal(rng) * 1e-3);
  for (int64_t t = 1; t <= 3; ++t) {
    for (int64_t i = 0; i < n; ++i) g[i] = T(g[i] * T(-1.5) + T(1e-4) * T(t));
    pick(table)(p.data(), g.data(), m.data(), v.data(), vmax.data(), 0, n,
                scalars<T>(1e-3, 0.01, t));
  }
  std::vector<T> all = p;
  for (const auto* s : {&m, &v, &vmax}) all.insert(all.end(), s->begin(), s->end());
  return all;
}

template <class T>
void expect_same_bits(const AdamKernels& wide, const std::string& isa) {
  for (int d = 0; d < 2; ++d)
    for (int l2 = 0; l2 < 2; ++l2)
      for (int ams = 0; ams < 2; ++ams) {
        if (d && l2) continue;  // AdamW has no L2 term
        auto pick = [&](const AdamKernels& k) {
          if constexpr (std::is_same_v<T, float>)
            return k.f32[d][l2][ams];
          else
            return k.f64[d][l2][ams];
        };
        for (int64_t n : {1, 7, 16, 37, 1000}) {
          std::vector<T> want = run<T>(gf::optim::detail::adam_kernels_default(), pick, n);
          std::vector<T> got = run<T>(wide, pick, n);
          EXPECT_EQ(0, std::memcmp(want.data(), got.data(), want.size() * sizeof(T)))
              << isa << " " << sizeof(T) * 8 << "-bit, decoupled " << d << " l2 " << l2
              << " amsgrad " << ams << ", n " << n;
        }
      }
}
}  // namespace

TEST(AdamKernels, EveryWidthComputesTheSameBits) {
  __builtin_cpu_init();
  bool ran = false;
  if (__builtin_cpu_supports("avx2")) {
    expect_same_bits<float>(gf::optim::detail::adam_kernels_avx2(), "avx2");
    expect_same_bits<double>(gf::optim::detail::adam_kernels_avx2(), "avx2");
    ran = true;
  }
  if (__builtin_cpu_supports("avx512f")) {
    expect_same_bits<float>(gf::optim::detail::adam_kernels_avx512(), "avx512");
    expect_same_bits<double>(gf::optim::detail::adam_kernels_avx512(), "avx512");
    ran = true;
  }
  if (!ran) GTEST_SKIP() << "this CPU has neither AVX2 nor AVX-512: only the default loop runs";
}

// The loop itself, on one element worked by hand (step 1, no weight decay): m = 0.1·g,
// v = 0.001·g², m̂/√v̂ = sign(g), so p moves by −lr exactly up to eps.
TEST(AdamKernels, FirstStepMovesByTheLearningRate) {
  float p = 1.0f, g = 0.5f, m = 0, v = 0, vmax = 0;
  gf::optim::detail::adam_kernels_default().f32[0][0][0](&p, &g, &m, &v, &vmax, 0, 1,
                                                         scalars<float>(0.01, 0, 1));
  EXPECT_FLOAT_EQ(m, 0.05f);
  EXPECT_FLOAT_EQ(v, 0.00025f);
  EXPECT_NEAR(p, 0.99f, 1e-6);
}
