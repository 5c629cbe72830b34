// The engine's three speed claims (issue 2), each mirrored by bench/torch_engine.py:
//   chain:    forward+backward of 1000 alternating add/mul on 0-d float64 tensors (per-op cost)
//   jacobian: autograd::jacobian(softmax, x), x of size 100;  hessian of sum(softmax(x)²), size 10
//   matmul:   forward+backward of [128,784]·[784,256] float32 vs the same three GEMMs straight to the float32
//             GEMM library gradflow chose (kernels::gemm_backend(): OpenBLAS or oneDNN)
#include <benchmark/benchmark.h>
#include <gradflow/gradflow.hpp>
#include <vector>

#include "../src/kernels/gemm.hpp"

using namespace gf;

static void chain_1000(benchmark::State& state) {
  Tensor c = scalar_tensor(1.0001, DType::Float64);
  for (auto _ : state) {
    Tensor x = scalar_tensor(1.0, DType::Float64).requires_grad_();
    Tensor y = x;
    for (int i = 0; i < 1000; ++i) y = (i % 2) ? y * c : y + c;
    y.backward();
    benchmark::DoNotOptimize(x.grad().item());
  }
}
BENCHMARK(chain_1000)->Unit(benchmark::kMicrosecond);

static void jacobian_softmax_100(benchmark::State& state) {
  manual_seed(0);
  Tensor x = randn({100}, DType::Float64);
  auto f = [](const Tensor& t) { return softmax(t, 0); };
  for (auto _ : state) benchmark::DoNotOptimize(autograd::jacobian(f, x));
}
BENCHMARK(jacobian_softmax_100)->Unit(benchmark::kMicrosecond);

static void hessian_softmax_sq_10(benchmark::State& state) {
  manual_seed(0);
  Tensor x = randn({10}, DType::Float64);
  auto f = [](const Tensor& t) { return softmax(t, 0).pow(2).sum(); };
  for (auto _ : state) benchmark::DoNotOptimize(autograd::hessian(f, x));
}
BENCHMARK(hessian_softmax_sq_10)->Unit(benchmark::kMicrosecond);

static void matmul_fwd_bwd(benchmark::State& state) {
  manual_seed(0);
  Tensor a = randn({128, 784}).requires_grad_();
  Tensor b = randn({784, 256}).requires_grad_();
  Tensor g = ones({128, 256});
  for (auto _ : state) {
    a.zero_grad();
    b.zero_grad();
    Tensor c = matmul(a, b);
    c.backward(g);
    benchmark::DoNotOptimize(b.grad().data_ptr<float>());
  }
}
BENCHMARK(matmul_fwd_bwd)->Unit(benchmark::kMicrosecond)->UseRealTime();

// The floor: the same three GEMMs (C = AB, dA = G Bᵀ, dB = Aᵀ G) straight to the GEMM library.
static void matmul_raw_sgemm(benchmark::State& state) {
  const int m = 128, k = 784, n = 256;
  std::vector<float> A(m * k, 0.5f), B(k * n, 0.25f), C(m * n), G(m * n, 1.0f), dA(m * k), dB(k * n);
  for (auto _ : state) {
    gf::kernels::gemm_raw(false, false, m, n, k, 1, A.data(), k, B.data(), n, 0,
                C.data(), n);
    gf::kernels::gemm_raw(false, true, m, k, n, 1, G.data(), n, B.data(), n, 0,
                dA.data(), k);
    gf::kernels::gemm_raw(true, false, k, n, m, 1, A.data(), k, G.data(), n, 0,
                dB.data(), n);
    benchmark::DoNotOptimize(dB.data());
  }
}
BENCHMARK(matmul_raw_sgemm)->Unit(benchmark::kMicrosecond)->UseRealTime();

// Seed 003's tiny softmax classifier: 85 samples x 5 features -> 3 classes, float64. One
// full-batch gradient-descent step (forward, cross-entropy, backward, SGD update), and one
// per-sample step (batch of 1).
static void tiny_step(benchmark::State& state, int64_t batch) {
  manual_seed(0);
  Tensor X = randn({batch, 5}, DType::Float64);
  Tensor y = randint(0, 3, {batch});
  nn::Linear model(5, 3, true, DType::Float64);
  optim::SGD opt(model.parameters(), optim::SGDOptions(0.1));
  for (auto _ : state) {
    opt.zero_grad();
    Tensor loss = nn::functional::cross_entropy(model.forward(X), y);
    loss.backward();
    opt.step();
  }
}
static void tiny_full_batch_step(benchmark::State& state) { tiny_step(state, 85); }
static void tiny_per_sample_step(benchmark::State& state) { tiny_step(state, 1); }
BENCHMARK(tiny_full_batch_step)->Unit(benchmark::kMicrosecond);
BENCHMARK(tiny_per_sample_step)->Unit(benchmark::kMicrosecond);

// The GEMM floor of one MLP 784-256-128-10 training step at batch 128: the 3 forward products
// and the 5 backward ones (dW3, dh2, dW2, dh1, dW1) straight to the GEMM library. 128 / time is the
// samples/s ceiling that everything else in a training step eats into.
static void mlp_gemm_floor(benchmark::State& state) {
  const int B = 128;
  const int d[4] = {784, 256, 128, 10};
  std::vector<std::vector<float>> W(3), H(4), G(4), dW(3);
  for (int l = 0; l < 3; ++l) {
    W[l].assign(d[l] * d[l + 1], 0.01f);
    dW[l].assign(d[l] * d[l + 1], 0.0f);
  }
  for (int l = 0; l < 4; ++l) {
    H[l].assign(B * d[l], 0.5f);
    G[l].assign(B * d[l], 0.1f);
  }
  for (auto _ : state) {
    for (int l = 0; l < 3; ++l)  // H[l+1] = H[l] W[l]ᵀ   (W stored [out, in] like nn.Linear)
      gf::kernels::gemm_raw(false, true, B, d[l + 1], d[l], 1, H[l].data(), d[l],
                  W[l].data(), d[l], 0, H[l + 1].data(), d[l + 1]);
    for (int l = 2; l >= 0; --l) {  // dW[l] = G[l+1]ᵀ H[l];  G[l] = G[l+1] W[l]
      gf::kernels::gemm_raw(true, false, d[l + 1], d[l], B, 1, G[l + 1].data(),
                  d[l + 1], H[l].data(), d[l], 0, dW[l].data(), d[l]);
      if (l > 0)
        gf::kernels::gemm_raw(false, false, B, d[l], d[l + 1], 1,
                    G[l + 1].data(), d[l + 1], W[l].data(), d[l], 0, G[l].data(), d[l]);
    }
    benchmark::DoNotOptimize(dW[0].data());
  }
  state.SetLabel(gf::kernels::gemm_backend());
  state.counters["samples_per_s"] =
      benchmark::Counter(static_cast<double>(B) * state.iterations(), benchmark::Counter::kIsRate);
}
BENCHMARK(mlp_gemm_floor)->Unit(benchmark::kMicrosecond)->UseRealTime();

BENCHMARK_MAIN();
