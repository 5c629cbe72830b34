// gf::distributed: run by ctest as a world of 1, and under
// `mpirun -np 2` by the Distributed.mpirun_* tests (tests/distributed/run_mpi.sh). Every
// expected value is written for any world size W from first principles.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <thread>

#include "gradflow/distributed/distributed.hpp"
#include "gradflow/factories.hpp"
#include "gradflow/nn/activation.hpp"
#include "gradflow/nn/batchnorm.hpp"
#include "gradflow/nn/container.hpp"
#include "gradflow/nn/dropout.hpp"
#include "gradflow/nn/functional.hpp"
#include "gradflow/nn/linear.hpp"
#include "gradflow/ops.hpp"
#include "gradflow/optim/adam.hpp"
#include "gradflow/train/trainer.hpp"

namespace dist = gf::distributed;
using gf::DType;
using gf::Tensor;

namespace {
struct Init : ::testing::Environment {
  void SetUp() override { dist::init(); }
};
const auto* const g_env = ::testing::AddGlobalTestEnvironment(new Init);
}  // namespace

TEST(Distributed, InitGivesAWorld) {
  EXPECT_TRUE(dist::is_initialized());
  EXPECT_GE(dist::world_size(), 1);
  EXPECT_GE(dist::rank(), 0);
  EXPECT_LT(dist::rank(), dist::world_size());
  if (std::getenv("GF_EXPECT_WORLD") != nullptr)  // set by run_mpi.sh: mpirun really ran N
    EXPECT_EQ(dist::world_size(), std::atoi(std::getenv("GF_EXPECT_WORLD")));
}

// Rank r contributes [r + 1, -(r + 1), 10 r]: Sum = [W(W+1)/2, -W(W+1)/2, 10 W(W-1)/2],
// Mean = Sum / W, Max = [W, -1, 10 (W-1)].
TEST(Distributed, AllReduceSumMeanMax) {
  const double r = dist::rank(), w = dist::world_size();
  for (DType d : {DType::Float32, DType::Float64}) {
    Tensor s = gf::tensor({r + 1, -(r + 1), 10 * r}, d), m = s.clone(), x = s.clone();
    dist::all_reduce(s, dist::ReduceOp::Sum);
    dist::all_reduce(m, dist::ReduceOp::Mean);
    dist::all_reduce(x, dist::ReduceOp::Max);
    const double tri = w * (w + 1) / 2;
    EXPECT_EQ(s.tolist(), (std::vector<double>{tri, -tri, 10 * w * (w - 1) / 2}));
    EXPECT_EQ(m.tolist(), (std::vector<double>{tri / w, -tri / w, 10 * (w - 1) / 2}));
    EXPECT_EQ(x.tolist(), (std::vector<double>{w, -1, 10 * (w - 1)}));
  }
  Tensor i = gf::tensor({r + 1}, DType::Int64);
  dist::all_reduce(i, dist::ReduceOp::Sum);
  EXPECT_EQ(i.item(), w * (w + 1) / 2);
}

TEST(Distributed, BroadcastCopiesTheRoot) {
  const int w = dist::world_size(), root = w - 1;
  Tensor t = gf::tensor({1.0 * dist::rank(), 7.0}, DType::Float64);
  dist::broadcast(t, root);
  EXPECT_EQ(t.tolist(), (std::vector<double>{1.0 * root, 7.0}));
  dist::barrier();
}

TEST(Distributed, BadArgumentsNameTheCall) {
  Tensor t = gf::tensor({1.0, 2.0}, DType::Float64);
  try {
    dist::broadcast(t, dist::world_size());
    FAIL() << "no error";
  } catch (const gf::Error& e) {
    EXPECT_NE(std::string(e.what()).find("broadcast: root"), std::string::npos) << e.what();
  }
  Tensor i = gf::tensor({1.0}, DType::Int64);
  EXPECT_THROW(dist::all_reduce(i, dist::ReduceOp::Mean), gf::Error);
  Tensor nc = gf::zeros({2, 3}, DType::Float64).transpose(0, 1);
  EXPECT_THROW(dist::all_reduce(nc), gf::Error);
}

TEST(Distributed, ShardSplitsAGlobalBatch) {
  // 10 rows over 4 ranks: 3, 3, 2, 2, contiguous and covering [0, 10).
  EXPECT_EQ(dist::shard(10, 0, 4).begin, 0);
  EXPECT_EQ(dist::shard(10, 0, 4).end, 3);
  EXPECT_EQ(dist::shard(10, 1, 4).end, 6);
  EXPECT_EQ(dist::shard(10, 2, 4).end, 8);
  EXPECT_EQ(dist::shard(10, 3, 4).begin, 8);
  EXPECT_EQ(dist::shard(10, 3, 4).end, 10);
  EXPECT_EQ(dist::shard(10, 0, 1).size(), 10);
  EXPECT_THROW(dist::shard(10, 4, 4), gf::Error);
}

namespace {
gf::nn::Sequential small_mlp() {
  return gf::nn::Sequential(gf::nn::Linear(5, 6, true, DType::Float64), gf::nn::Tanh(),
                            gf::nn::Linear(6, 3, true, DType::Float64));
}
// Every rank holds the same values: the maximum over the ranks of t and of -t are t and -t.
void expect_same_on_every_rank(const Tensor& t, const std::string& what) {
  Tensor hi = t.detach().clone(), lo = gf::neg(t.detach());
  dist::all_reduce(hi, dist::ReduceOp::Max);
  dist::all_reduce(lo, dist::ReduceOp::Max);
  EXPECT_EQ(hi.tolist(), t.tolist()) << what;
  EXPECT_EQ(gf::neg(lo).tolist(), t.tolist()) << what;
}
}  // namespace

// W ranks × (global batch / W) rows, gradients averaged by DataParallel, equal the gradient of
// one process on the whole global batch (mean loss, equal shards). On the MPI path the buckets'
// all-reduces start inside backward (every parameter is reached, so every bucket but the last,
// which sync_gradients reduces, starts there).
TEST(Distributed, DataParallelAveragesToTheFullBatchGradient) {
  const int w = dist::world_size();
  gf::manual_seed(7);  // the same data on every rank
  const int64_t n = 8 * w;
  Tensor x = gf::randn({n, 5}, DType::Float64);
  Tensor y = gf::randint(0, 3, {n});
  gf::manual_seed(100 + dist::rank());  // different initial weights on every rank...
  gf::nn::Sequential model = small_mlp();
  // A small bucket so the 4 parameters take several all-reduces.
  dist::DataParallel dp(model, 6 * 5 * 8);
  EXPECT_GE(dp.num_buckets(), 2);
  for (const Tensor& p : model.parameters())  // ...until rank 0's are broadcast
    expect_same_on_every_rank(p, "parameter after the broadcast");
  dp.set_require_grad_sync(false);  // the reference: the full batch, no communication
  gf::nn::functional::cross_entropy(model.forward(x), y).backward();
  std::vector<std::vector<double>> full;
  for (const Tensor& p : model.parameters()) full.push_back(p.grad().tolist());
  model.zero_grad();
  dp.set_require_grad_sync(true);

  const dist::Shard s = dist::shard(n);
  gf::nn::functional::cross_entropy(model.forward(x.slice(0, s.begin, s.end)),
                                    y.slice(0, s.begin, s.end))
      .backward();
  dp.sync_gradients();
  EXPECT_EQ(dp.buckets_last_sync(), dp.num_buckets());
  // One host: the ranks sum through shared memory after backward (no overlap), unless
  // GF_DP_REDUCE=mpi (run_mpi.sh's second pass) keeps the bucketed MPI all-reduces.
  const bool mpi_path = std::getenv("GF_DP_REDUCE") != nullptr;
  EXPECT_EQ(dp.shared_memory(), w > 1 && !mpi_path);
  EXPECT_EQ(dp.buckets_overlapped_last_sync(), w > 1 && mpi_path ? dp.num_buckets() - 1 : 0);
  auto params = model.parameters();
  for (size_t k = 0; k < params.size(); ++k) {
    std::vector<double> g = params[k].grad().tolist();
    ASSERT_EQ(g.size(), full[k].size());
    for (size_t j = 0; j < g.size(); ++j)
      EXPECT_NEAR(g[j], full[k][j], 1e-6 * std::max(1e-3, std::abs(full[k][j]))) << k << "," << j;
  }
  // A second backward before sync_gradients is refused (the buckets hold this one's gradients).
  if (w > 1) {
    auto loss = [&] { return gf::nn::functional::cross_entropy(model.forward(x), y); };
    loss().backward();
    EXPECT_THROW(loss().backward(), gf::Error);
  }
}

// Three Adam steps: W ranks on their shards through DataParallel (each rank also draws other
// initial weights, undone by the broadcast) end with the parameters of one process stepping on
// the whole global batch, identical on every rank.
TEST(Distributed, DataParallelStepsLikeOneProcess) {
  const int w = dist::world_size();
  gf::manual_seed(11);
  const int64_t n = 6 * w;
  Tensor x = gf::randn({n, 5}, DType::Float64);
  Tensor y = gf::randint(0, 3, {n});
  gf::manual_seed(200 + dist::rank());
  gf::nn::Sequential model = small_mlp();
  dist::DataParallel dp(model, 64);  // one bucket per parameter or so
  gf::manual_seed(1);
  gf::nn::Sequential reference = small_mlp();
  reference.load_state_dict(model.state_dict());
  gf::optim::Adam opt(model.parameters(), gf::optim::AdamOptions(0.05));
  gf::optim::Adam ref_opt(reference.parameters(), gf::optim::AdamOptions(0.05));
  const dist::Shard s = dist::shard(n);
  for (int step = 0; step < 3; ++step) {
    opt.zero_grad();
    gf::nn::functional::cross_entropy(model.forward(x.slice(0, s.begin, s.end)),
                                      y.slice(0, s.begin, s.end))
        .backward();
    dp.sync_gradients();
    opt.step();
    ref_opt.zero_grad();
    gf::nn::functional::cross_entropy(reference.forward(x), y).backward();
    ref_opt.step();
  }
  auto got = model.parameters(), want = reference.parameters();
  for (size_t k = 0; k < got.size(); ++k) {
    expect_same_on_every_rank(got[k], "parameter " + std::to_string(k) + " after 3 steps");
    std::vector<double> g = got[k].tolist(), r = want[k].tolist();
    for (size_t j = 0; j < g.size(); ++j)
      EXPECT_NEAR(g[j], r[j], 1e-9 * std::max(1.0, std::abs(r[j]))) << k << "," << j;
  }
}

// .grad after sync_gradients() is a view of its bucket (torch DDP's gradient_as_bucket_view)
// and every way of handling it between steps still gives the average of what each rank
// accumulated. Every rank forwards the same batch, so the average is the local gradient g
// exactly ((g + g) / 2 == g bitwise). Cases: .grad unset (zero_grad(true)); zeroed in place
// (zero_grad(), which fills the view); not zeroed (accumulates: 2g); replaced by the user
// (c + g, and .grad becomes the view again); accumulated under no_sync (2g).
TEST(Distributed, DataParallelGradientsAreBucketViews) {
  gf::manual_seed(5);
  Tensor x = gf::randn({6, 5}, DType::Float64);
  Tensor y = gf::randint(0, 3, {6});
  gf::nn::Sequential model = small_mlp();
  dist::DataParallel dp(model, 64);  // several buckets
  gf::optim::Adam opt(model.parameters(), gf::optim::AdamOptions(0.05));
  auto backward = [&] { gf::nn::functional::cross_entropy(model.forward(x), y).backward(); };
  auto params = model.parameters();
  dp.set_require_grad_sync(false);
  backward();
  std::vector<std::vector<double>> g;
  for (const Tensor& p : params) g.push_back(p.grad().tolist());
  opt.zero_grad(/*set_to_none=*/true);
  dp.set_require_grad_sync(true);
  auto expect_grads = [&](double times, double plus, const std::string& what) {
    for (size_t k = 0; k < params.size(); ++k) {
      std::vector<double> got = params[k].grad().tolist();
      ASSERT_EQ(got.size(), g[k].size());
      for (size_t j = 0; j < got.size(); ++j)
        EXPECT_DOUBLE_EQ(got[j], times * g[k][j] + plus) << what << ": " << k << "," << j;
    }
  };
  backward();
  dp.sync_gradients();
  expect_grads(1, 0, ".grad unset");
  std::vector<const void*> storage;
  for (const Tensor& p : params) storage.push_back(p.grad().impl().storage.get());
  opt.zero_grad(/*set_to_none=*/false);
  backward();
  dp.sync_gradients();
  expect_grads(1, 0, ".grad zeroed in place");
  for (size_t k = 0; k < params.size(); ++k)  // the same buffers, nothing reallocated
    EXPECT_EQ(params[k].grad().impl().storage.get(), storage[k]) << k;
  backward();
  dp.sync_gradients();
  expect_grads(2, 0, ".grad accumulated");
  for (Tensor& p : params) p.set_grad(gf::full(p.sizes(), 0.5, DType::Float64));
  backward();
  dp.sync_gradients();
  expect_grads(1, 0.5, ".grad replaced by the user");
  opt.zero_grad(/*set_to_none=*/true);
  dp.set_require_grad_sync(false);
  backward();
  dp.set_require_grad_sync(true);
  backward();
  dp.sync_gradients();
  expect_grads(2, 0, "accumulated under no_sync");
}

// The shared-memory sum (one host) and the bucketed MPI all-reduces give the same bits for two
// ranks (x/2 + y/2, in either order, is one correctly rounded sum), over three steps so both of
// the window's alternating input buffers are used; every rank forwards its own shard. A .grad
// left in the window by a backward without sync_gradients() outlives DataParallel as a copy.
TEST(Distributed, DataParallelSharedMemoryMatchesMpiAllReduce) {
  const int w = dist::world_size();
  gf::manual_seed(9);
  const int64_t n = 4 * w;
  Tensor x = gf::randn({n, 5}, DType::Float64);
  Tensor y = gf::randint(0, 3, {n});
  const dist::Shard s = dist::shard(n);
  bool was_shared = false;
  auto grads_after_steps = [&](dist::Reduction how) {
    gf::manual_seed(2);
    gf::nn::Sequential model = small_mlp();
    dist::DataParallel dp(model, 64, how);
    if (how == dist::Reduction::Mpi) EXPECT_FALSE(dp.shared_memory());
    if (how == dist::Reduction::Auto) was_shared = dp.shared_memory();
    gf::optim::Adam opt(model.parameters(), gf::optim::AdamOptions(0.05));
    std::vector<double> all;
    for (int step = 0; step < 3; ++step) {
      opt.zero_grad(/*set_to_none=*/true);
      gf::nn::functional::cross_entropy(model.forward(x.slice(0, s.begin, s.end)),
                                        y.slice(0, s.begin, s.end))
          .backward();
      dp.sync_gradients();
      for (const Tensor& p : model.parameters())
        for (double v : p.grad().tolist()) all.push_back(v);
      opt.step();
    }
    gf::nn::functional::cross_entropy(model.forward(x), y).backward();  // no sync
    std::vector<Tensor> left;
    for (const Tensor& p : model.parameters()) left.push_back(p);
    std::vector<std::vector<double>> before;
    for (const Tensor& p : left) before.push_back(p.grad().tolist());
    return std::make_tuple(all, std::move(left), before, std::move(model));
  };
  auto [shared, params, unsynced, model] = grads_after_steps(dist::Reduction::Auto);
  auto [mpi, params2, unsynced2, model2] = grads_after_steps(dist::Reduction::Mpi);
  ASSERT_EQ(shared.size(), mpi.size());
  for (size_t i = 0; i < shared.size(); ++i) EXPECT_EQ(shared[i], mpi[i]) << i;
  // (On the MPI path the destructor waits for the buckets backward started: .grad changes.)
  if (was_shared)
    for (size_t k = 0; k < params.size(); ++k)  // DataParallel is gone; .grad is still readable
      EXPECT_EQ(params[k].grad().tolist(), unsynced[k]) << k;
}

// Parameters backward did not reach on a rank count as a zero gradient there: only rank 0
// runs backward, so every rank ends with rank 0's gradient / W.
TEST(Distributed, DataParallelParametersNotReached) {
  const int w = dist::world_size();
  gf::manual_seed(3);
  Tensor x = gf::randn({4, 5}, DType::Float64);
  Tensor y = gf::randint(0, 3, {4});
  gf::nn::Sequential model = small_mlp();
  dist::DataParallel dp(model, 64);
  dp.set_require_grad_sync(false);
  gf::nn::functional::cross_entropy(model.forward(x), y).backward();
  std::vector<std::vector<double>> alone;
  for (const Tensor& p : model.parameters()) alone.push_back(p.grad().tolist());
  model.zero_grad(/*set_to_none=*/true);
  dp.set_require_grad_sync(true);
  if (dist::rank() == 0) gf::nn::functional::cross_entropy(model.forward(x), y).backward();
  dp.sync_gradients();
  auto params = model.parameters();
  for (size_t k = 0; k < params.size(); ++k) {
    std::vector<double> g = params[k].grad().tolist();
    for (size_t j = 0; j < g.size(); ++j) EXPECT_DOUBLE_EQ(g[j], alone[k][j] / w) << k << "," << j;
  }
}

// Buffers (BatchNorm's running statistics) after a step are rank 0's on every rank, as with
// torch DDP's broadcast_buffers: each rank forwards a different shard, so its own update would
// differ. Rank 0's running mean is its shard's update from 0: momentum 0.1 x the shard's mean.
TEST(Distributed, DataParallelBroadcastsBuffersAfterTheStep) {
  gf::manual_seed(4);
  const int64_t n = 4 * dist::world_size();
  Tensor x = gf::randn({n, 3}, DType::Float64);
  Tensor y = gf::randint(0, 2, {n});
  gf::nn::Sequential model(gf::nn::Linear(3, 3, true, DType::Float64),
                           gf::nn::BatchNorm1d(gf::nn::BatchNormOptions(3).dtype(DType::Float64)),
                           gf::nn::Linear(3, 2, true, DType::Float64));
  dist::DataParallel dp(model, 1 << 20);
  const dist::Shard s = dist::shard(n);
  // Rank 0's shard through the first Linear: the activations BatchNorm sees on rank 0.
  Tensor h0;
  {
    gf::NoGradGuard no_grad;
    h0 = model[0]->forward(x.slice(0, 0, dist::shard(n, 0, dist::world_size()).end));
  }
  gf::nn::functional::cross_entropy(model.forward(x.slice(0, s.begin, s.end)),
                                    y.slice(0, s.begin, s.end))
      .backward();
  dp.sync_gradients();
  for (const auto& [name, b] : model.named_buffers())
    expect_same_on_every_rank(b, "buffer " + name + " after the step");
  std::vector<double> mean;
  for (const auto& [name, b] : model.named_buffers())
    if (name == "1.running_mean") mean = b.tolist();
  std::vector<double> want = gf::mean(h0, std::vector<int64_t>{0}).tolist();
  ASSERT_EQ(mean.size(), want.size());
  for (size_t c = 0; c < mean.size(); ++c) EXPECT_NEAR(mean[c], 0.1 * want[c], 1e-12) << c;
}

// BatchNorm and Dropout under train::data_parallel_step see the global batch: W ranks on
// unequal shards (a global batch of 5W + 1 rows) end three Adam steps with the parameters and
// running statistics of one process stepping on the whole batch (train::step) with the same
// generator, as far as rounding goes. Without the global statistics (per-shard BatchNorm, per-rank
// masks) they differ by far more than the tolerance at W = 2.
TEST(Distributed, DataParallelStepBatchNormAndDropoutSeeTheGlobalBatch) {
  const int w = dist::world_size();
  gf::manual_seed(21);
  const int64_t n = 5 * w + 1;
  Tensor x = gf::randn({n, 4}, DType::Float64);
  Tensor y = gf::randint(0, 3, {n});
  auto make = [] {
    return gf::nn::Sequential(
        // No bias before BatchNorm: its exact gradient is 0, and Adam would turn the rounding
        // noise there into steps of lr·noise/eps.
        gf::nn::Linear(4, 8, false, DType::Float64),
        gf::nn::BatchNorm1d(gf::nn::BatchNormOptions(8).dtype(DType::Float64)), gf::nn::ReLU(),
        gf::nn::Dropout(0.3), gf::nn::Linear(8, 3, true, DType::Float64));
  };
  gf::manual_seed(1);
  gf::nn::Sequential model = make(), reference = make();
  reference.load_state_dict(model.state_dict());
  dist::DataParallel dp(model, 1 << 20);
  gf::optim::Adam opt(model.parameters(), gf::optim::AdamOptions(0.05));
  gf::optim::Adam ref_opt(reference.parameters(), gf::optim::AdamOptions(0.05));
  gf::metrics::ConfusionCounter counter(3);
  for (int step = 0; step < 3; ++step) {
    gf::manual_seed(100 + step);  // the same dropout draws on every rank and in the reference
    int64_t correct = 0;
    const double loss = gf::train::data_parallel_step(dp, opt, {x, y}, &correct);
    gf::manual_seed(100 + step);
    const double want = gf::train::step(reference, ref_opt, {x, y}, counter);
    EXPECT_NEAR(loss, want, 1e-12 * std::abs(want)) << "step " << step;
  }
  auto got = model.state_dict(), ref = reference.state_dict();
  ASSERT_EQ(got.size(), ref.size());
  for (size_t k = 0; k < got.size(); ++k) {
    if (got[k].second.dtype() != DType::Float64) continue;  // num_batches_tracked
    expect_same_on_every_rank(got[k].second, got[k].first + " after 3 steps");
    std::vector<double> g = got[k].second.tolist(), r = ref[k].second.tolist();
    for (size_t j = 0; j < g.size(); ++j)
      EXPECT_NEAR(g[j], r[j], 1e-9 * std::max(1.0, std::abs(r[j]))) << got[k].first << "," << j;
  }
}

// Run by Distributed.mpirun_rank_exit (GF_DIST_FAULT=1): the last rank exits at once, the
// others wait in an all-reduce that can never complete; mpirun must end the job non-zero.
TEST(DistributedFault, RankExitsEarly) {
  if (std::getenv("GF_DIST_FAULT") == nullptr)
    GTEST_SKIP() << "run by Distributed.mpirun_rank_exit";
  if (dist::rank() == dist::world_size() - 1) std::_Exit(3);
  Tensor t = gf::tensor({1.0}, DType::Float64);
  dist::all_reduce(t);
  std::this_thread::sleep_for(std::chrono::seconds(60));
}
