// Threads: gradflow keeps no shared mutable state on the training path, so two models trained at
// once on two std::threads end bit for bit where they end trained one after the other; grad mode
// (NoGradGuard / AutoGradMode) is per thread.
//
// What IS process-global (documented, and why the tests construct models before starting threads):
//  - the default generator (manual_seed, rand/randn/randint/randperm, nn::init, Linear's
//    initialisation, Dropout's masks, make_classification without random_state): one unsynchronised
//    Generator; use it from one thread at a time. DataLoader shuffles with its own generator.
//  - set_detect_anomaly (an atomic flag, like PyTorch's global anomaly mode).
//  - set_num_threads: OpenMP's thread count is a per-thread setting (the calling thread's ICV), but
//    OpenBLAS's count is process-wide.
//  - the caching allocator is per thread (a buffer freed on another thread goes to that thread's
//    cache); nothing to coordinate.
#include <gtest/gtest.h>

#include <barrier>
#include <cstring>
#include <gradflow/gradflow.hpp>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace gf;

struct Result {
  std::vector<std::string> params;  // raw bytes of every parameter after training
  std::vector<double> losses;
};

std::string bytes_of(const Tensor& t) {
  Tensor c = t.contiguous();
  const auto* p = static_cast<const char*>(c.impl().storage->data) +
                  c.storage_offset() * element_size(c.dtype());
  return std::string(p, static_cast<std::size_t>(c.numel()) * element_size(c.dtype()));
}

data::LabeledData dataset() {
  data::MakeClassificationOptions o;
  o.n_samples = 600;
  o.n_features = 20;
  o.n_informative = 8;
  o.n_classes = 4;
  o.random_state = 7;  // own generator: does not touch the default one
  o.dtype = DType::Float32;
  return data::make_classification(o);
}

// Built on the calling thread from the (global) default generator.
std::unique_ptr<nn::Sequential> make_model(uint64_t seed, int64_t hidden) {
  manual_seed(seed);
  return std::make_unique<nn::Sequential>(nn::Linear(20, hidden), nn::ReLU(),
                                          nn::Linear(hidden, 4));
}

// Trains with Adam (model a) or SGD with momentum (model b); the loader has its own seed.
Result train(nn::Sequential& model, const data::LabeledData& d, uint64_t loader_seed, bool adam) {
  data::DataLoader loader(data::TensorDataset(d.X, d.y),
                          {.batch_size = 25, .shuffle = true, .seed = loader_seed});
  std::unique_ptr<optim::Optimizer> opt;
  if (adam)
    opt = std::make_unique<optim::Adam>(model.parameters(), optim::AdamOptions(1e-2));
  else
    opt = std::make_unique<optim::SGD>(model.parameters(), optim::SGDOptions(0.05).momentum(0.5));
  Result r;
  for (int epoch = 0; epoch < 12; ++epoch)
    for (const data::Batch& b : loader) {
      Tensor loss = nn::functional::cross_entropy(model.forward(b.data), b.target);
      opt->zero_grad();
      loss.backward();
      opt->step();
      r.losses.push_back(loss.item());
    }
  for (const Tensor& p : model.parameters()) r.params.push_back(bytes_of(p));
  return r;
}

TEST(Threads, TwoModelsTrainedAtOnceMatchTrainedOneAfterTheOther) {
  const data::LabeledData d = dataset();

  auto a1 = make_model(1, 32);
  Result seq_a = train(*a1, d, 11, true);
  auto b1 = make_model(2, 24);
  Result seq_b = train(*b1, d, 22, false);

  // Same construction (the global generator is used before the threads start).
  auto a2 = make_model(1, 32);
  auto b2 = make_model(2, 24);
  Result par_a, par_b;
  std::thread ta([&] { par_a = train(*a2, d, 11, true); });
  std::thread tb([&] { par_b = train(*b2, d, 22, false); });
  ta.join();
  tb.join();

  ASSERT_EQ(seq_a.losses.size(), 12u * 24u);
  EXPECT_EQ(seq_a.losses, par_a.losses);
  EXPECT_EQ(seq_b.losses, par_b.losses);
  EXPECT_EQ(seq_a.params, par_a.params);
  EXPECT_EQ(seq_b.params, par_b.params);
  // The two runs are different runs (the comparison is not vacuous), and they trained.
  EXPECT_NE(seq_a.losses, seq_b.losses);
  // Mean loss of the last epoch against the first (24 batches each).
  auto epoch_mean = [](const std::vector<double>& l, std::size_t from) {
    double s = 0;
    for (std::size_t i = from; i < from + 24; ++i) s += l[i];
    return s / 24;
  };
  EXPECT_LT(epoch_mean(seq_a.losses, 11 * 24), 0.8 * epoch_mean(seq_a.losses, 0));
  EXPECT_LT(epoch_mean(seq_b.losses, 11 * 24), 0.8 * epoch_mean(seq_b.losses, 0));
}

TEST(Threads, ThreadsWithTheirOwnModelsRunTheSameLoopConcurrently) {
  // Four threads, each training a copy built from the same seed: all end identical.
  const data::LabeledData d = dataset();
  std::vector<std::unique_ptr<nn::Sequential>> models;
  for (int i = 0; i < 4; ++i) models.push_back(make_model(5, 16));
  std::vector<Result> results(4);
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i)
    threads.emplace_back([&, i] { results[i] = train(*models[i], d, 3, i % 2 == 0); });
  for (auto& t : threads) t.join();
  EXPECT_EQ(results[0].params, results[2].params);
  EXPECT_EQ(results[1].params, results[3].params);
  EXPECT_NE(results[0].params, results[1].params);  // Adam vs SGD
}

TEST(Threads, NoGradGuardIsPerThread) {
  std::barrier sync(2);
  bool guarded_enabled = true, other_enabled = false;
  bool guarded_has_fn = true, other_has_fn = false;
  Tensor x = ones({3}).requires_grad_();
  std::thread guarded([&] {
    NoGradGuard no_grad;
    sync.arrive_and_wait();  // the guard is on while the other thread records
    guarded_enabled = is_grad_enabled();
    guarded_has_fn = (x * 2).grad_fn() != nullptr;
    sync.arrive_and_wait();
  });
  std::thread other([&] {
    sync.arrive_and_wait();
    other_enabled = is_grad_enabled();
    Tensor y = (x * 3).sum();
    other_has_fn = y.grad_fn() != nullptr;
    sync.arrive_and_wait();
  });
  guarded.join();
  other.join();
  EXPECT_FALSE(guarded_enabled);
  EXPECT_FALSE(guarded_has_fn);
  EXPECT_TRUE(other_enabled);
  EXPECT_TRUE(other_has_fn);
  EXPECT_TRUE(is_grad_enabled());  // and the main thread never saw either
}

TEST(Threads, AutoGradModeOffOnAThreadDoesNotLeakIntoANewThread) {
  AutoGradMode off(false);
  ASSERT_FALSE(is_grad_enabled());
  bool enabled_in_new_thread = false;
  std::thread t([&] { enabled_in_new_thread = is_grad_enabled(); });
  t.join();
  EXPECT_TRUE(enabled_in_new_thread);  // a new thread starts with grad mode on (PyTorch too)
}

}  // namespace
