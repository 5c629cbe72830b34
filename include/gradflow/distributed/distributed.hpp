// gf::distributed — data-parallel training over MPI (Open MPI from Debian).
//
// init() reads the MPI environment: under `mpirun -np N` every process gets its rank in [0, N);
// without mpirun (or in a build with GF_WITH_MPI=OFF) it is a world of 1 and every collective
// is the identity, so single-process code needs no change. Every MPI failure throws gf::Error
// naming the call and the rank ("all_reduce: MPI_Allreduce failed on rank 1 of 2: ...").
#pragma once
#include <cstdint>
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
// In place: every rank's t becomes root's t.
void broadcast(Tensor& t, int root = 0);
void barrier();

// The rows [begin, end) of a global batch of n rows that `rank` of `world` takes: contiguous
// blocks, the first n % world ranks one row longer (like DistributedSampler without padding).
struct Shard {
  int64_t begin = 0, end = 0;
  int64_t size() const { return end - begin; }
};
Shard shard(int64_t n, int rank, int world);
inline Shard shard(int64_t n) { return shard(n, distributed::rank(), world_size()); }

// Data parallelism in the spirit of PyTorch's DistributedDataParallel: the constructor
// broadcasts rank 0's parameters (so every rank starts identical); sync_gradients(), called
// between backward() and the optimizer step, averages every parameter's .grad over the ranks
// with one all-reduce per bucket of about bucket_bytes. The all-reduces run after backward
// (not yet overlapped with it). With a mean loss over equal shards, the averaged gradient is
// the full global batch's gradient, so the optimizer state stays identical on every rank.
class DataParallel {
 public:
  explicit DataParallel(nn::Module& module, int64_t bucket_bytes = 25 << 20);
  void sync_gradients();
  nn::Module& module() { return module_; }
  int64_t buckets_last_sync() const { return buckets_; }

 private:
  nn::Module& module_;
  int64_t bucket_bytes_;
  int64_t buckets_ = 0;
};

}  // namespace gf::distributed
