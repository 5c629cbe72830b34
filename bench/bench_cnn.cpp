// Convolutional training beside PyTorch (bench/torch_cnn.py; bench/cnn_compare.py runs both):
// LeNet-5's first convolution (forward, backward data, backward weights) on each kernel path,
// and whole training steps (forward, cross-entropy, backward, Adam) of LeNet-5 and the CLI's
// CNN at batch 128 on random Fashion-MNIST-shaped data. items_per_second = samples/s.
// The conv kernel is chosen by GF_CONV (unset: oneDNN for float32; "im2col": im2col + OpenBLAS).
#include <benchmark/benchmark.h>

#include <gradflow/gradflow.hpp>
#include <gradflow/train/recipe.hpp>

namespace F = gf::nn::functional;
using namespace gf;

namespace {

constexpr int64_t kBatch = 128;

void BM_LeNetConv1Forward(benchmark::State& state) {
  Tensor x = randn({kBatch, 1, 28, 28}), w = randn({6, 1, 5, 5}), b = randn({6});
  NoGradGuard no_grad;
  for (auto _ : state)
    benchmark::DoNotOptimize(F::conv2d(x, w, F::Conv2dFuncOptions().bias(b).padding(2)));
  state.SetItemsProcessed(state.iterations() * kBatch);
}
BENCHMARK(BM_LeNetConv1Forward)->Unit(benchmark::kMicrosecond);

void BM_LeNetConv1Backward(benchmark::State& state) {
  Tensor x = randn({kBatch, 1, 28, 28}).requires_grad_(), w = randn({6, 1, 5, 5}).requires_grad_();
  Tensor y = F::conv2d(x, w, F::Conv2dFuncOptions().padding(2));
  Tensor g = randn(y.sizes());
  for (auto _ : state) {
    auto grads = autograd::grad({y}, {x, w}, {g}, true);
    benchmark::DoNotOptimize(grads);
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
}
BENCHMARK(BM_LeNetConv1Backward)->Unit(benchmark::kMicrosecond);

std::shared_ptr<nn::Module> build(const std::string& name) {
  manual_seed(0);
  if (name == "lenet5") return std::make_shared<models::LeNet5>();
  return train::find_model(name)->build({.in_features = 784, .num_classes = 10});
}

void train_steps(benchmark::State& state, const std::string& name) {
  auto model = build(name);
  optim::Adam opt(model->parameters(), optim::AdamOptions(1e-3));
  Tensor x = rand({kBatch, 1, 28, 28}), y = randint(0, 10, {kBatch});
  for (auto _ : state) {
    Tensor loss = F::cross_entropy(model->forward(x), y);
    opt.zero_grad();
    loss.backward();
    opt.step();
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
}
void BM_TrainLeNet5(benchmark::State& state) { train_steps(state, "lenet5"); }
void BM_TrainCNN(benchmark::State& state) { train_steps(state, "cnn"); }
BENCHMARK(BM_TrainLeNet5)->Unit(benchmark::kMillisecond)->MinTime(2.0)->MeasureProcessCPUTime();
BENCHMARK(BM_TrainCNN)->Unit(benchmark::kMillisecond)->MinTime(2.0)->MeasureProcessCPUTime();

}  // namespace

BENCHMARK_MAIN();
