// See thread_policy.hpp. States of the calling thread's team:
//   Parallel: all configured threads; every window, if the team's run delay per thread exceeds
//     kBusyFraction of the window, go Serial.
//   Serial: one thread; after the back-off (0.5 s, doubling to 8 s while probes keep failing)
//     go Probe — at once if /proc/loadavg shows an idle core, else only after the longest
//     back-off (the run queue also counts niced background work, a build at nice 19 say, which
//     takes no time from us: the probe's own run delay is the judge, the count only a hint).
//   Probe: all threads for one window; quiet -> Parallel (back-off reset), busy -> Serial.
#include "thread_policy.hpp"

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>
#ifdef _OPENMP
#include <omp.h>
#endif

namespace gf::detail {

namespace {

using Clock = std::chrono::steady_clock;

constexpr auto kWindow = std::chrono::milliseconds(50);
constexpr auto kCheck = std::chrono::milliseconds(5);  // schedstat is read at most this often
constexpr auto kFirstBackoff = std::chrono::milliseconds(500);
constexpr auto kMaxBackoff = std::chrono::seconds(8);
constexpr auto kGateInterval = std::chrono::milliseconds(100);
// A thread that waited for a CPU this much of the window shares its core: at 2 threads and one
// competing process it is ~1/3 to 1/2; on an idle machine under 1%.
constexpr double kBusyFraction = 0.10;

// Set once the thread count is chosen explicitly; the policy then never adapts.
std::atomic<int> fixed_threads{0};

int initial_threads() {
#ifdef _OPENMP
  static const int n = [] {
    const char* env = std::getenv("OMP_NUM_THREADS");
    if (env && *env) fixed_threads.store(omp_get_max_threads());  // chosen by the user
    return omp_get_max_threads();
  }();
  return n;
#else
  return 1;
#endif
}

// Run delay (ns) of one thread so far, or -1 if it cannot be read.
long long run_delay_ns(long tid) {
  char path[64];
  std::snprintf(path, sizeof path, "/proc/self/task/%ld/schedstat", tid);
  int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  char buf[128];
  ssize_t len = ::read(fd, buf, sizeof buf - 1);
  ::close(fd);
  if (len <= 0) return -1;
  buf[len] = 0;
  unsigned long long on_cpu = 0, delay = 0;
  if (std::sscanf(buf, "%llu %llu", &on_cpu, &delay) != 2) return -1;
  return static_cast<long long>(delay);
}

// Runnable tasks on the machine besides the calling thread, from /proc/loadavg's "R/total"
// field (an instantaneous count), or -1 if it cannot be read.
int others_running() {
  int fd = ::open("/proc/loadavg", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  char buf[128];
  ssize_t len = ::read(fd, buf, sizeof buf - 1);
  ::close(fd);
  if (len <= 0) return -1;
  buf[len] = 0;
  double l1, l5, l15;
  int running = 0, total = 0;
  if (std::sscanf(buf, "%lf %lf %lf %d/%d", &l1, &l5, &l15, &running, &total) != 5) return -1;
  return running - 1;
}

// Whether the other threads of a team could find an idle core right now.
bool cores_free_for(int team) {
  int others = others_running();
  if (others < 0) return true;  // unknown: let the run delay decide
  return sysconf(_SC_NPROCESSORS_ONLN) - others >= team;
}

enum class State { Parallel, Serial, Probe };

struct Policy {
  bool ready = false, adaptive = false;
  int team = 1;
  State state = State::Parallel;
  std::vector<long> tids;  // the team's threads (the caller first)
  Clock::time_point window_start, probe_at, last_check;
  Clock::time_point gated_since{};  // when probes started waiting for an idle core
  long long delay_start = 0;
  Clock::duration backoff = kFirstBackoff;
  ThreadPolicyStats stats;

  void set_threads(int n) {
#ifdef _OPENMP
    omp_set_num_threads(n);
#endif
    stats.current = n;
  }

  // The OS thread ids of a full team (GOMP keeps a caller's workers in its pool, so the same
  // threads come back; they are read again at every return to the full team).
  void collect_tids() {
    tids.assign(team, 0);
#ifdef _OPENMP
#pragma omp parallel num_threads(team)
    {
      int id = omp_get_thread_num();
      if (id < team) tids[id] = syscall(SYS_gettid);
    }
#endif
    tids.erase(std::remove(tids.begin(), tids.end(), 0), tids.end());
  }

  long long team_delay() {
    long long sum = 0;
    for (long tid : tids) {
      long long d = run_delay_ns(tid);
      if (d < 0) return -1;
      sum += d;
    }
    return sum;
  }

  void start_window(Clock::time_point now) {
    window_start = now;
    delay_start = team_delay();
  }

  void init() {
    ready = true;
    team = initial_threads();
    adaptive = team > 1 && fixed_threads.load() == 0;
    stats.adaptive = adaptive;
    stats.current = team;
    if (!adaptive) return;
    collect_tids();
    Clock::time_point now = Clock::now();
    start_window(now);
    if (delay_start < 0) adaptive = stats.adaptive = false;  // no schedstat: never adapt
    // start with the full team even when the run queue looks full: a real competitor shows in
    // the first window's run delay within a few ms, niced background work never does
  }

  void go_serial(Clock::time_point now) {
    state = State::Serial;
    ++stats.serial_switches;
    set_threads(1);
    probe_at = now + backoff;
  }

  void go_full(State s, Clock::time_point now) {
    state = s;
    set_threads(team);
    start_window(now);
    if (delay_start < 0) {  // a worker was replaced: find the team again
      collect_tids();
      start_window(now);
    }
  }

  void step() {
    if (!ready) init();
    if (!adaptive) return;
    if (fixed_threads.load() != 0) {  // set_num_threads was called since
      adaptive = stats.adaptive = false;
      return;
    }
    Clock::time_point now = Clock::now();
    if (state == State::Serial) {
      if (now < probe_at) return;
      if (!cores_free_for(team)) {
        // no idle core by the count: look again soon, but probe anyway once the longest back-off
        // has passed (one 50 ms window per 8 s at worst if the competitor is real)
        if (gated_since == Clock::time_point{}) gated_since = now;
        if (now < gated_since + kMaxBackoff) {
          probe_at = now + kGateInterval;
          return;
        }
      }
      gated_since = Clock::time_point{};
      ++stats.probes;
      go_full(State::Probe, now);
      return;
    }
    if (now - last_check < kCheck) return;
    last_check = now;
    auto elapsed = now - window_start;
    long long d = team_delay();
    if (d < 0 || delay_start < 0) {
      start_window(now);
      return;
    }
    // busy as soon as the delay reaches a tenth of a full window (a collapsed team is caught
    // within a few ms), or a tenth of a longer window at its end
    double per_thread = static_cast<double>(d - delay_start) / static_cast<double>(tids.size());
    auto span = std::max<Clock::duration>(elapsed, kWindow);
    bool busy = per_thread > kBusyFraction * std::chrono::duration<double, std::nano>(span).count();
    if (!busy && elapsed < kWindow) return;
    if (busy) {
      if (state == State::Probe) backoff = std::min<Clock::duration>(backoff * 2, kMaxBackoff);
      go_serial(now);
      return;
    }
    if (state == State::Probe) backoff = kFirstBackoff;
    state = State::Parallel;
    start_window(now);
  }
};

Policy& policy() {
  thread_local Policy p;
  return p;
}

}  // namespace

void adapt_threads() {
#ifdef _OPENMP
  if (omp_in_parallel()) return;
  policy().step();
#endif
}

int configured_threads() {
  int f = fixed_threads.load();
  return f ? f : initial_threads();
}

void fix_threads(int n) {
  initial_threads();
  fixed_threads.store(n);
}

ThreadPolicyStats thread_policy_stats() {
  Policy& p = policy();
  if (!p.ready) p.init();
  if (int f = fixed_threads.load()) {
    p.adaptive = p.stats.adaptive = false;
    p.stats.current = f;
  }
  return p.stats;
}

}  // namespace gf::detail
