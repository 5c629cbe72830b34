// gf::distributed — data-parallel training over MPI (Open MPI from Debian).
//
// init() reads the MPI environment: under `mpirun -np N` every process gets its rank in [0, N);
// without mpirun (or in a build with GF_WITH_MPI=OFF) it is a world of 1 and every collective
// is the identity, so single-process code needs no change. Every MPI failure throws gf::Error
// naming the call and the rank ("all_reduce: MPI_Allreduce failed on rank 1 of 2: ...").
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "gradflow/nn/module.hpp"
#include "gradflow/tensor.hpp"

namespace gf::distributed {

void init();  // idempotent; MPI is finalized at exit
int rank();
int world_size();
bool is_initialized();

enum class ReduceOp { Sum, Mean, Max };
// In place, on every rank: t becomes the element-wise reduction of t over all ranks. t must be
// contiguous and have the same shape and dtype on every rank.
void all_reduce(Tensor& t, ReduceOp op = ReduceOp::Sum);

// A non-blocking all-reduce in flight (torch's all_reduce(t, async_op=True) and its Work):
// t must stay alive and untouched until wait(). is_completed() polls MPI, which also moves the
// reduction forward (Open MPI progresses non-blocking collectives only inside MPI calls).
class Work {
 public:
  Work() = default;
  bool is_completed();
  void wait();  // t holds the reduction (divided by the world size for Mean)
  bool valid() const { return req_ != nullptr; }
  struct Request;

 private:
  friend Work all_reduce_async(Tensor& t, ReduceOp op);
  std::shared_ptr<Request> req_;
};
Work all_reduce_async(Tensor& t, ReduceOp op = ReduceOp::Sum);

// In place: every rank's t becomes root's t.
void broadcast(Tensor& t, int root = 0);
void barrier();
// Ends every rank of the job with `code` (MPI_Abort): for an error on one rank that the others,
// waiting in a collective, would never see. In a world of 1: std::exit(code).
[[noreturn]] void abort(int code);

// The rows [begin, end) of a global batch of n rows that `rank` of `world` takes: contiguous
// blocks, the first n % world ranks one row longer (like DistributedSampler without padding).
struct Shard {
  int64_t begin = 0, end = 0;
  int64_t size() const { return end - begin; }
};
Shard shard(int64_t n, int rank, int world);
inline Shard shard(int64_t n) { return shard(n, distributed::rank(), world_size()); }

// Data parallelism in the spirit of PyTorch's DistributedDataParallel. The constructor
// broadcasts rank 0's parameters and buffers (so every rank starts identical) and groups the
// parameters, in reverse order (the order backward reaches them), into buckets of about
// bucket_bytes. A hook on each parameter (Tensor::register_hook, run just before the gradient is
// accumulated into .grad) accumulates that gradient into the parameter's slice of its bucket and
// makes .grad a view of that slice (torch DDP's gradient_as_bucket_view: no copy into .grad
// afterwards; zero_grad() zeroes the view in place, zero_grad(true) drops it and the next
// backward writes the bucket again; a .grad the user assigns is added in and then replaced by
// the view). .grad is only read-consistent after sync_gradients(). The moment a bucket's last
// gradient arrives, its all-reduce (mean) starts without blocking (MPI_Iallreduce), overlapped
// with the rest of backward; the last bucket, complete only when backward has no parameter left,
// is reduced by sync_gradients() with a blocking all-reduce (cheaper than a non-blocking one
// waited for at once). Buckets start in bucket order on every rank (MPI needs collectives in the
// same order), so a bucket that completes early waits for the ones before it.
// sync_gradients(), called between backward() and the optimizer step, starts the buckets whose
// parameters backward did not reach (their local gradient counts as zero), waits for every
// bucket (each .grad then holds the average). With a loss that is a mean over equal shards, the
// average is the full global batch's gradient, so the same optimizer step, and so the same
// optimizer state, happens on every rank. In a world of 1 nothing is registered and
// sync_gradients() does nothing.
//
// On one host (every rank in MPI's shared-memory communicator) with parameters of one dtype,
// the gradients are averaged through an MPI-3 shared-memory window instead: backward writes each
// rank's gradients into its segment of the window, and sync_gradients() meets the other ranks at
// a barrier and sums all segments itself (one pass, no copies through MPI's transport; nothing
// to overlap, since on one host the ranks' cores are the ones computing). .grad is then a view
// of that rank's own buffer of the averages. The sum is in rank order on every rank, the same
// bits as the MPI path for two ranks. Reduction::Mpi, or GF_DP_REDUCE=mpi in the environment,
// keeps the bucketed MPI path on one host too.
class NodeReduce;  // src/distributed/node_reduce.hpp
enum class Reduction { Auto, Mpi };

class DataParallel {
 public:
  explicit DataParallel(nn::Module& module, int64_t bucket_bytes = 25 << 20,
                        Reduction reduction = Reduction::Auto);
  ~DataParallel();  // removes its hooks
  DataParallel(const DataParallel&) = delete;
  DataParallel& operator=(const DataParallel&) = delete;

  void sync_gradients();
  // torch's no_sync(): with false, backward only accumulates .grad locally (no communication);
  // the next backward with true reduces the accumulated gradients.
  void set_require_grad_sync(bool on) { sync_ = on; }
  nn::Module& module() { return module_; }
  int64_t num_buckets() const { return static_cast<int64_t>(buckets_.size()); }
  // Of the last sync: buckets reduced, and how many of them started during backward (at most
  // all but the last).
  int64_t buckets_last_sync() const { return reduced_; }
  int64_t buckets_overlapped_last_sync() const { return overlapped_; }
  // Averaging through the host's shared memory (see above) rather than MPI all-reduces.
  bool shared_memory() const { return node_ != nullptr; }

 private:
  struct Bucket {
    std::vector<size_t> params;  // indices into params_
    Tensor flat;                 // the packed gradients
    size_t ready = 0;            // gradients arrived in this backward
    bool started = false;
    Work work;
  };
  Tensor on_gradient(size_t param, const Tensor& grad);  // returns the bucket view (.grad)
  void start_ready_buckets();  // in order, while the next bucket is complete

  nn::Module& module_;
  std::vector<Tensor> params_;
  std::vector<std::string> names_;
  std::vector<size_t> bucket_of_, offset_of_;  // per parameter
  std::vector<Tensor> views_;                  // per parameter: its slice of its bucket
  double prescale_ = 1.0;                      // 1/W for a power-of-two world W, else 1
  ReduceOp reduce_op_ = ReduceOp::Mean;        // Sum when prescaled
  std::vector<char> arrived_;                  // per parameter, this backward
  std::vector<size_t> hooks_;                  // handles, per parameter
  std::vector<Bucket> buckets_;
  size_t next_start_ = 0;
  bool sync_ = true;
  int64_t started_ = 0;  // buckets started since the last sync
  int64_t reduced_ = 0, overlapped_ = 0;
  // The shared-memory path: this rank's two input buffers in the window (per parameter, views
  // in bucket layout; alternate steps use alternate ones) and the flat buffer of the averages
  // that views_ then point into.
  std::unique_ptr<NodeReduce> node_;
  std::vector<Tensor> inputs_[2];
  Tensor mean_;
  int parity_ = 0;
  void broadcast_buffers();  // rank 0's to every rank
};

}  // namespace gf::distributed
