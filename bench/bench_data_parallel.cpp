// Data-parallel training on gf::distributed, run by bench/data_parallel.py alone (1 rank) and
// under `mpirun -np 2` beside PyTorch DDP (gloo) in bench/torch_ddp.py. Not a Google Benchmark:
// every rank must run the same steps. Prints one JSON line per measurement from rank 0:
//   {"what": "allreduce", "bytes": B, "us": median µs}        MPI all-reduce (sum, float32)
//   {"what": "mlp", "path": "shared"|"mpi"|"one rank", "bucket_mb": M, "samples_per_s": S, "step_us": T, "compute_us": C,
//    "comm_wait_us": W, "forward_us": F, "backward_us": B, "optimizer_us": O}
// The MLP is the CLI's (784-256-128-10, ReLU, float32, Adam 1e-3) on a global batch of 128
// (or the third argument's);
// compute = forward + backward + optimizer step, comm_wait = the time sync_gradients() (and the
// loss's all-reduce) waits after backward (what overlap did not hide); forward/backward/optimizer
// are the 2-rank phases (backward includes the hooks' copies into the buckets and MPI progress).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <gradflow/gradflow.hpp>
#include <gradflow/train/trainer.hpp>
#include <string>
#include <vector>

namespace dist = gf::distributed;
using Clock = std::chrono::steady_clock;

namespace {
double us(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::micro>(b - a).count();
}
double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

void bench_allreduce() {
  for (int64_t bytes : {int64_t(64) << 10, int64_t(1) << 20, int64_t(4) << 20}) {
    gf::Tensor t = gf::ones({bytes / 4});
    std::vector<double> times;
    for (int i = 0; i < 60; ++i) {
      dist::barrier();
      auto a = Clock::now();
      dist::all_reduce(t, dist::ReduceOp::Sum);
      auto b = Clock::now();
      if (i >= 10) times.push_back(us(a, b));
    }
    // The slowest rank's median: a collective ends when the last rank is done.
    gf::Tensor m = gf::tensor({median(times)}, gf::DType::Float64);
    dist::all_reduce(m, dist::ReduceOp::Max);
    if (dist::rank() == 0)
      std::printf("{\"what\": \"allreduce\", \"ranks\": %d, \"bytes\": %lld, \"us\": %.1f}\n",
                  dist::world_size(), (long long)bytes, m.item());
  }
}

// Returns whether the gradients went through shared memory (then the bucket size is unused).
bool bench_mlp(double bucket_mb, int steps, int64_t batch) {
  gf::manual_seed(0);
  gf::Tensor X = gf::randn({batch, 784}), y = gf::randint(0, 10, {batch});
  gf::nn::Sequential model(gf::nn::Linear(784, 256), gf::nn::ReLU(), gf::nn::Linear(256, 128),
                           gf::nn::ReLU(), gf::nn::Linear(128, 10));
  gf::optim::Adam opt(model.parameters(), gf::optim::AdamOptions(1e-3));
  std::unique_ptr<dist::DataParallel> dp;
  if (dist::world_size() > 1)
    dp = std::make_unique<dist::DataParallel>(model, int64_t(bucket_mb * (1 << 20)));
  gf::metrics::ConfusionCounter counter(10);
  gf::data::Batch b{X, y};
  std::vector<double> step_t, wait_t, fwd_t, bwd_t, opt_t;
  for (int i = 0; i < steps + 20; ++i) {
    auto t0 = Clock::now();
    double wait = 0, fwd = 0, bwd = 0, adam = 0;
    if (dp) {
      // data_parallel_step with its phases timed: forward of the shard, the loss's all-reduce
      // started (the loss the CLI reports and its NaN check; waited for with the gradients),
      // backward, sync, step.
      const dist::Shard s = dist::shard(batch);
      gf::Tensor loss = gf::nn::functional::cross_entropy(model.forward(X.slice(0, s.begin, s.end)),
                                                          y.slice(0, s.begin, s.end));
      gf::Tensor sums = gf::tensor({loss.item()}, gf::DType::Float64);
      dist::Work loss_work = dist::all_reduce_async(sums);
      auto f1 = Clock::now();
      opt.zero_grad(true);
      loss.backward();
      auto w0 = Clock::now();
      dp->sync_gradients();
      loss_work.wait();
      auto w1 = Clock::now();
      opt.step();
      wait = us(w0, w1), fwd = us(t0, f1), bwd = us(f1, w0), adam = us(w1, Clock::now());
    } else {
      gf::train::step(model, opt, b, counter);
    }
    auto t1 = Clock::now();
    if (i >= 20)
      step_t.push_back(us(t0, t1)), wait_t.push_back(wait), fwd_t.push_back(fwd),
          bwd_t.push_back(bwd), opt_t.push_back(adam);
  }
  double total = 0;
  for (double t : step_t) total += t;
  gf::Tensor m = gf::tensor({total, median(step_t), median(wait_t), median(fwd_t), median(bwd_t),
                             median(opt_t)},
                            gf::DType::Float64);
  dist::all_reduce(m, dist::ReduceOp::Max);
  const double* v = m.data_ptr<double>();
  if (dist::rank() == 0)
    std::printf(
        "{\"what\": \"mlp\", \"ranks\": %d, \"path\": \"%s\", \"bucket_mb\": %g, "
        "\"buckets\": %lld, "
        "\"samples_per_s\": %.0f, \"step_us\": %.1f, \"compute_us\": %.1f, "
        "\"comm_wait_us\": %.1f, \"forward_us\": %.1f, \"backward_us\": %.1f, "
        "\"optimizer_us\": %.1f}\n",
        dist::world_size(), !dp ? "one rank" : dp->shared_memory() ? "shared" : "mpi", bucket_mb,
        (long long)(dp ? dp->num_buckets() : 0),
        double(batch) * steps / (v[0] * 1e-6), v[1], v[1] - v[2], v[2], v[3], v[4], v[5]);
  std::fflush(stdout);
  return dp && dp->shared_memory();
}
}  // namespace

int main(int argc, char** argv) {
  dist::init();
  gf::set_num_threads(1);
  const int steps = argc > 1 ? std::atoi(argv[1]) : 300;
  // "mlp": the overlapped MLP run alone (for perf record / perf stat of one configuration).
  const bool mlp_only = argc > 2 && std::string(argv[2]) == "mlp";
  // A third argument changes the global batch: `STEPS mlp 64` alone is one rank's share of the
  // 2-rank step (its compute with no exchange, for the bound bench/data_parallel.py prints).
  const int64_t batch = argc > 3 ? std::atoll(argv[3]) : 128;
  if (dist::world_size() > 1 && !mlp_only) bench_allreduce();
  const bool shared = bench_mlp(0.25, steps, batch);
  if (dist::world_size() > 1 && !mlp_only && !shared) bench_mlp(25, steps, batch);  // no overlap
  return 0;
}
