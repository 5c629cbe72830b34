// The global batch behind a data-parallel forward. While a ShardedForward is alive on a rank
// (train::data_parallel_step sets one around the forward of its shard), the layers whose
// training output depends on the other rows of the batch compute as one process would on the
// whole global batch:
//   BatchNorm (training, batch statistics): sync_batch_norm below, torch's SyncBatchNorm;
//   Dropout: the mask of the whole global batch is drawn (same generator draws, on every rank,
//            as one process draws), and the shard's rows of it are used.
// So N ranks end with the numbers of one process to rounding (the CNN too), at the cost of three
// small all-reduces per BatchNorm layer and step and every rank drawing the global mask.
// Without a ShardedForward (a world of 1, evaluation) nothing changes.
#pragma once
#include <cstdint>

#include "gradflow/tensor.hpp"

namespace gf::distributed {

struct ShardedBatch {
  int64_t rows = 0;   // of the global batch
  int64_t begin = 0;  // this rank's shard: rows [begin, end)
  int64_t end = 0;
};

// The batch of the ShardedForward alive on this thread, or nullptr.
const ShardedBatch* sharded_batch();

// Every rank must run the same layers under it (their collectives pair up across ranks), so
// every shard must be non-empty (GF_CHECK).
class ShardedForward {
 public:
  explicit ShardedForward(const ShardedBatch& batch);
  ~ShardedForward();
  ShardedForward(const ShardedForward&) = delete;
  ShardedForward& operator=(const ShardedForward&) = delete;

 private:
  ShardedBatch batch_;
  const ShardedBatch* previous_;
};

// Training-mode batch normalization of x [n, C, *] (this rank's n rows of a global batch of
// global_rows) with the statistics of the whole global batch: per channel, with M = global_rows ·
// ∏* elements summed over the ranks,
//   μ = Σx / M,  σ² = Σ(x − μ)² / M,  x̂ = (x − μ)/√(σ² + eps),  y = x̂·w + b;
// running ← (1 − momentum)·running + momentum·(μ, σ²·M/(M − 1)) (when defined). Backward, with
// ĝ = g·w and the sums over the ranks: dx = (ĝ − Σĝ/M − x̂·Σ(ĝ·x̂)/M)/√(σ² + eps);
// dw = Σ_local g·x̂, db = Σ_local g (DataParallel averages them over the ranks, and the losses
// are weighted so that the average is the global batch's gradient). w and b may be undefined.
Tensor sync_batch_norm(const Tensor& x, const Tensor& running_mean, const Tensor& running_var,
                       const Tensor& weight, const Tensor& bias, double momentum, double eps,
                       int64_t global_rows);

}  // namespace gf::distributed
