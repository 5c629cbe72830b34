// Transcendental elementwise ops over 1M float32 elements (issue 13), mirrored by
// bench/torch_vector_math.py: forward alone, and forward + backward with a ones gradient.
#include <benchmark/benchmark.h>

#include <gradflow/gradflow.hpp>
#include <string>

using namespace gf;

namespace {

constexpr int64_t kN = 1 << 20;

Tensor run_op(const std::string& op, const Tensor& x) {
  if (op == "exp") return exp(x);
  if (op == "log") return log(x);
  if (op == "tanh") return tanh(x);
  return sigmoid(x);
}

// log's input is kept positive; the others see [-4, 4)
Tensor input(const std::string& op) {
  manual_seed(0);
  Tensor u = rand({kN});
  return op == "log" ? u * 10.0 + 0.01 : u * 8.0 - 4.0;
}

void forward(benchmark::State& state, const std::string& op) {
  Tensor x = input(op);
  for (auto _ : state) benchmark::DoNotOptimize(run_op(op, x).data_ptr<float>());
}

void forward_backward(benchmark::State& state, const std::string& op) {
  Tensor x = input(op).requires_grad_();
  Tensor g = ones({kN});
  for (auto _ : state) {
    x.zero_grad();
    run_op(op, x).backward(g);
    benchmark::DoNotOptimize(x.grad().data_ptr<float>());
  }
}

const int registered = [] {
  for (std::string op : {"exp", "log", "tanh", "sigmoid"}) {
    benchmark::RegisterBenchmark(("unary_" + op + "_fwd").c_str(), forward, op)
        ->Unit(benchmark::kMicrosecond)
        ->UseRealTime();
    benchmark::RegisterBenchmark(("unary_" + op + "_fwd_bwd").c_str(), forward_backward, op)
        ->Unit(benchmark::kMicrosecond)
        ->UseRealTime();
  }
  return 0;
}();

}  // namespace

BENCHMARK_MAIN();
