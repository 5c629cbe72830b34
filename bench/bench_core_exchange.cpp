// The floor under any one-host gradient exchange between two cores, measured without gradflow
// or MPI: two threads pinned to two cores play two ranks of the MLP's data-parallel step with
// plain loads and stores. Per step each thread writes a fresh gradient (the backward's output,
// not timed), copies it × 1/2 into its own shared buffer (parity alternating, as DataParallel's
// hooks do into the MPI window), meets the other at a spin barrier, sums both shared buffers
// into a private mean (as NodeReduce::reduce does), then streams an Adam-sized working set
// (p, m, v read and written, the mean read) so the next step starts with caches as a real one
// does. The copy and the sum move the other core's cache lines: what they cost here is what
// the hardware charges for 2 × 0.94 MB crossing between cores, and no reduction algorithm on
// one host moves fewer bytes than this one (a reduce-scatter + all-gather moves the same
// remote bytes plus a second barrier). Run by bench/data_parallel.py; prints one JSON line:
//   {"what": "exchange", "floats": N, "copy_us": C, "sum_us": S, "exchange_us": C + S}
#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

namespace {
using Clock = std::chrono::steady_clock;

// The MLP's parameters: 784·256 + 256 + 256·128 + 128 + 128·10 + 10.
constexpr size_t kCount = 784 * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10;
constexpr int kWarmup = 20;

struct Shared {
  std::vector<float> window[2][2];  // [rank][parity], the "MPI window"
  std::atomic<int> arrived{0};
};

double us(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::micro>(b - a).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

void pin(int core) {  // best effort: an unpinned run still measures, only noisier
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(core, &set);
  pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

void rank_loop(Shared& s, int rank, int steps, std::vector<double>& copy_t,
               std::vector<double>& sum_t) {
  pin(rank);
  std::vector<float> grad(kCount), mean(kCount), p(kCount, 1.f), m(kCount), v(kCount);
  int generation = 0;
  for (int it = 0; it < steps + kWarmup; ++it) {
    for (size_t i = 0; i < kCount; ++i) grad[i] = static_cast<float>((i + it) % 1024) * 1e-3f;
    float* own = s.window[rank][it & 1].data();
    auto t0 = Clock::now();
    for (size_t i = 0; i < kCount; ++i) own[i] = grad[i] * 0.5f;
    auto t1 = Clock::now();
    // A release/acquire barrier: the other's stores are visible after it.
    ++generation;
    s.arrived.fetch_add(1, std::memory_order_acq_rel);
    while (s.arrived.load(std::memory_order_acquire) < 2 * generation) std::this_thread::yield();
    auto t2 = Clock::now();
    const float* a = s.window[0][it & 1].data();
    const float* b = s.window[1][it & 1].data();
    for (size_t i = 0; i < kCount; ++i) mean[i] = a[i] + b[i];
    auto t3 = Clock::now();
    for (size_t i = 0; i < kCount; ++i) {  // Adam's traffic (the arithmetic does not matter)
      m[i] = 0.9f * m[i] + 0.1f * mean[i];
      v[i] = 0.999f * v[i] + 0.001f * mean[i] * mean[i];
      p[i] -= 1e-3f * m[i] / (v[i] + 1e-8f);
    }
    if (it >= kWarmup) copy_t.push_back(us(t0, t1)), sum_t.push_back(us(t2, t3));
  }
  if (p[kCount / 2] == 12345.f) std::puts("");  // keep the Adam pass
}
}  // namespace

int main(int argc, char** argv) {
  const int steps = argc > 1 ? std::atoi(argv[1]) : 300;
  Shared s;
  for (auto& r : s.window)
    for (auto& buf : r) buf.assign(kCount, 0.f);
  std::vector<double> copy_t[2], sum_t[2];
  std::thread t0(rank_loop, std::ref(s), 0, steps, std::ref(copy_t[0]), std::ref(sum_t[0]));
  std::thread t1(rank_loop, std::ref(s), 1, steps, std::ref(copy_t[1]), std::ref(sum_t[1]));
  t0.join();
  t1.join();
  // The slower rank's medians: the step waits for the last one.
  const double copy = std::max(median(copy_t[0]), median(copy_t[1]));
  const double sum = std::max(median(sum_t[0]), median(sum_t[1]));
  std::printf(
      "{\"what\": \"exchange\", \"floats\": %zu, \"copy_us\": %.1f, \"sum_us\": %.1f, "
      "\"exchange_us\": %.1f}\n",
      kCount, copy, sum, copy + sum);
  return 0;
}
