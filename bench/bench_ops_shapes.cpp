// One representative op per family of issue 10's reductions / scans / sorting / shape / pad /
// indexing / matmul work at 1M float32 elements, mirrored by bench/torch_ops_shapes.py.
// Forward alone, and forward + backward with a ones gradient. "sum_dims_chain" is the same
// reduction as "sum_dims" done as two single-dim sums: the multi-dim pass must not be slower.
#include <benchmark/benchmark.h>

#include <gradflow/gradflow.hpp>
#include <map>
#include <string>

using namespace gf;
namespace NF = gf::nn::functional;

namespace {

Tensor& input(const std::string& op) {
  static std::map<std::string, Tensor> cache;
  auto it = cache.find(op);
  if (it != cache.end()) return it->second;
  manual_seed(0);
  Shape s = op == "pad_reflect" || op == "pad_constant" ? Shape{16, 4, 128, 128}
            : op.rfind("sum_dims", 0) == 0              ? Shape{64, 128, 128}
            : op == "matmul_4d" || op == "einsum_bhqd"  ? Shape{16, 16, 64, 64}
                                                        : Shape{1024, 1024};
  return cache[op] = randn(s);
}

Tensor run_op(const std::string& op, const Tensor& x) {
  static Tensor idx = randint(0, 1024, {1024});
  if (op == "sum_dims") return sum(x, {0, 2});
  if (op == "sum_dims_chain") return sum(sum(x, 2), 0);
  if (op == "var_dim") return var(x, 1);
  if (op == "cumsum") return cumsum(x, 1);
  if (op == "sort") return std::get<0>(sort(x, 1));
  if (op == "topk") return std::get<0>(topk(x, 10, 1));
  if (op == "flip") return flip(x, {1});
  if (op == "repeat") return narrow(x, 0, 0, 256).repeat({2, 2});
  if (op == "pad_constant") return NF::pad(x, NF::PadFuncOptions({2, 2, 2, 2}));
  if (op == "pad_reflect")
    return NF::pad(x, NF::PadFuncOptions({2, 2, 2, 2}).mode(NF::PadMode::Reflect));
  if (op == "index_tensor") return index_select(x, 0, idx);
  if (op == "scatter_add")
    return scatter_add(x, 1, expand(reshape(idx, {1, 1024}), {1024, 1024}), x);
  if (op == "matmul_4d") return matmul(x, x);
  return einsum("bhqd,bhkd->bhqk", {x, x});
}

void forward(benchmark::State& state, const std::string& op) {
  Tensor x = input(op).detach();
  for (auto _ : state) benchmark::DoNotOptimize(run_op(op, x).impl_ptr().get());
}

void forward_backward(benchmark::State& state, const std::string& op) {
  Tensor x = input(op).detach().requires_grad_();
  Tensor g = ones_like(run_op(op, x.detach()));
  for (auto _ : state) {
    x.zero_grad();
    run_op(op, x).backward(g);
    benchmark::DoNotOptimize(x.grad().data_ptr<float>());
  }
}

const int registered = [] {
  for (std::string op :
       {"sum_dims", "sum_dims_chain", "var_dim", "cumsum", "sort", "topk", "flip", "repeat",
        "pad_constant", "pad_reflect", "index_tensor", "scatter_add", "matmul_4d", "einsum_bhqd"}) {
    benchmark::RegisterBenchmark(("shapes_" + op + "_fwd").c_str(), forward, op)
        ->Unit(benchmark::kMicrosecond)
        ->UseRealTime();
    benchmark::RegisterBenchmark(("shapes_" + op + "_fwd_bwd").c_str(), forward_backward, op)
        ->Unit(benchmark::kMicrosecond)
        ->UseRealTime();
  }
  return 0;
}();

}  // namespace

BENCHMARK_MAIN();
