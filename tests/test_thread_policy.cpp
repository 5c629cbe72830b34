// The busy-machine thread policy (src/core/thread_policy.hpp): with the default thread count, a
// team whose threads keep waiting for a CPU drops to one thread; a chosen count never changes.
// The busy machine is made here: as many spinning std::threads as there are cores.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <gradflow/gradflow.hpp>
#include <thread>
#include <vector>

#include "../src/core/thread_policy.hpp"

using namespace gf;

namespace {

// Parallel work (exp over 1M floats runs on the full team) until pred() or the time is up.
template <class Pred>
bool work_until(Pred pred, std::chrono::seconds limit) {
  Tensor x = rand({1 << 20});
  auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    Tensor y = exp(x);
    if (pred()) return true;
  }
  return false;
}

}  // namespace

// Runs first: nothing in this process has called set_num_threads yet.
TEST(ThreadPolicy, DropsToOneThreadWhenTheCoresAreTaken) {
  const char* env = std::getenv("OMP_NUM_THREADS");
  if ((env && *env) || std::thread::hardware_concurrency() < 2)
    GTEST_SKIP() << "needs the default thread count on 2+ cores (OMP_NUM_THREADS is set or 1 core)";
  auto s = detail::thread_policy_stats();
  ASSERT_TRUE(s.adaptive);
  EXPECT_TRUE(s.current == 1 || s.current == get_num_threads());  // 1 if already busy
  std::atomic<bool> stop{false};
  std::vector<std::thread> hogs;
  for (unsigned i = 0; i < std::thread::hardware_concurrency(); ++i)
    hogs.emplace_back([&] {
      while (!stop.load(std::memory_order_relaxed)) {
      }
    });
  bool dropped = work_until([] { return detail::thread_policy_stats().serial_switches > 0; },
                            std::chrono::seconds(4));
  stop = true;
  for (auto& t : hogs) t.join();
  EXPECT_TRUE(dropped) << "the team never went to one thread with every core taken";
  EXPECT_EQ(get_num_threads(), detail::configured_threads());  // the configured count stays
}

TEST(ThreadPolicy, AChosenCountIsNeverChanged) {
  set_num_threads(2);
  auto s = detail::thread_policy_stats();
  EXPECT_FALSE(s.adaptive);
  EXPECT_EQ(get_num_threads(), 2);
  set_num_threads(1);
  EXPECT_EQ(get_num_threads(), 1);
}
