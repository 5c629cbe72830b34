// The busy-machine thread policy (issue 12 item 1, issue 13). Two OpenMP threads that meet at a
// barrier collapse when another process takes one of the two cores: the running thread waits a
// whole scheduler slice for its descheduled partner at every GEMM and every parallel loop
// (measured: 2,672 samples/s against 60,742 with one thread). So, unless the thread count was
// chosen (set_num_threads, OMP_NUM_THREADS), the calling thread's team watches its own threads'
// run delay — the time they sat runnable without a CPU, from /proc/self/task/<tid>/schedstat —
// and drops to one thread while it is high, probing the full team again after a back-off.
// On an idle machine the delay stays near zero and nothing changes.
#pragma once

namespace gf::detail {

// Called before a parallel region (elementwise loops, large GEMMs); cheap: one clock read
// unless a 50 ms window has ended. Adjusts the calling thread's OpenMP thread count (which
// OpenBLAS's OpenMP build follows).
void adapt_threads();

// The team size the policy works with: what set_num_threads / OMP_NUM_THREADS / the core count
// gave; adapt_threads never goes above it.
int configured_threads();

// Stops adapting: the thread count was chosen explicitly (set_num_threads).
void fix_threads(int n);

// Counters for tests and benchmarks (the calling thread's policy).
struct ThreadPolicyStats {
  bool adaptive = false;
  int current = 1;           // threads the next parallel region gets
  long serial_switches = 0;  // times it dropped to one thread
  long probes = 0;           // times it tried the full team again
};
ThreadPolicyStats thread_policy_stats();

}  // namespace gf::detail
