// One representative op per family of the second round at 1M float32 elements, mirrored by
// bench/torch_ops_breadth.py: trig (sin), rounding (floor), activation (gelu, leaky_relu),
// binary (atan2), bitwise (bitwise_and on int32) and comparison-to-Bool (lt). Forward alone, and
// forward + backward with a ones gradient for the differentiable ones.
#include <benchmark/benchmark.h>

#include <gradflow/gradflow.hpp>
#include <string>

using namespace gf;
namespace F = gf::nn::functional;

namespace {

constexpr int64_t kN = 1 << 20;

Tensor run_op(const std::string& op, const Tensor& x, const Tensor& y) {
  if (op == "sin") return sin(x);
  if (op == "floor") return floor(x);
  if (op == "gelu") return F::gelu(x);
  if (op == "leaky_relu") return F::leaky_relu(x);
  if (op == "atan2") return atan2(x, y);
  if (op == "lt") return lt(x, y);
  return bitwise_and(x, y);
}

bool differentiable(const std::string& op) { return op != "lt" && op != "bitwise_and"; }

std::pair<Tensor, Tensor> inputs(const std::string& op) {
  manual_seed(0);
  Tensor x = rand({kN}) * 8.0 - 4.0, y = rand({kN}) * 8.0 - 4.0;
  if (op == "bitwise_and") return {(x * 1000.0).to(DType::Int32), (y * 1000.0).to(DType::Int32)};
  return {x, y};
}

void forward(benchmark::State& state, const std::string& op) {
  auto [x, y] = inputs(op);
  for (auto _ : state) benchmark::DoNotOptimize(run_op(op, x, y).impl_ptr().get());
}

void forward_backward(benchmark::State& state, const std::string& op) {
  auto [x0, y] = inputs(op);
  Tensor x = x0.requires_grad_();
  Tensor g = ones({kN});
  for (auto _ : state) {
    x.zero_grad();
    run_op(op, x, y).backward(g);
    benchmark::DoNotOptimize(x.grad().data_ptr<float>());
  }
}

const int registered = [] {
  for (std::string op : {"sin", "floor", "gelu", "leaky_relu", "atan2", "bitwise_and", "lt"}) {
    benchmark::RegisterBenchmark(("breadth_" + op + "_fwd").c_str(), forward, op)
        ->Unit(benchmark::kMicrosecond)
        ->UseRealTime();
    if (differentiable(op))
      benchmark::RegisterBenchmark(("breadth_" + op + "_fwd_bwd").c_str(), forward_backward, op)
          ->Unit(benchmark::kMicrosecond)
          ->UseRealTime();
  }
  return 0;
}();

}  // namespace

BENCHMARK_MAIN();
