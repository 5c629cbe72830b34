// The global batch behind a data-parallel forward. While a ShardedForward is alive on a thread
// (train::data_parallel_step sets one around the forward of each rank's shard), the layers whose
// training output depends on the other rows of the batch compute as one process would on the
// whole global batch:
//   BatchNorm (training, batch statistics): sync_batch_norm below, torch's SyncBatchNorm;
//   Dropout: the mask of the whole global batch is drawn (the generator draws what one process
//            draws, on every rank) and the shard's rows of it are used.
// So N ranks end with the numbers of one process to rounding, the CNN too, for three small
// all-reduces per BatchNorm layer and step and every rank drawing the global mask. (torch DDP
// keeps BatchNorm per rank unless the model is converted to SyncBatchNorm.) Without a
// ShardedForward (a world of 1, evaluation) nothing changes. The reduction over the ranks is
// given by the caller, so nn does not depend on gf::distributed.
#pragma once
#include <cstdint>
#include <functional>

#include "gradflow/tensor.hpp"

namespace gf::nn {

struct ShardedBatch {
  int64_t rows = 0;   // of the global batch
  int64_t begin = 0;  // this rank's shard: rows [begin, end)
  int64_t end = 0;
  // In place: t becomes the sum of t over the ranks (every rank calls it in the same order).
  std::function<void(Tensor&)> sum_over_ranks;
};

// The batch of the ShardedForward alive on this thread, or nullptr.
const ShardedBatch* sharded_batch();

// Every rank must run the same layers under it (their reductions pair up across ranks), so
// every shard must be non-empty (GF_CHECK).
class ShardedForward {
 public:
  explicit ShardedForward(ShardedBatch batch);
  ~ShardedForward();
  ShardedForward(const ShardedForward&) = delete;
  ShardedForward& operator=(const ShardedForward&) = delete;

 private:
  ShardedBatch batch_;
  const ShardedBatch* previous_;
};

// Training-mode batch normalization of x [n, C, *], this rank's rows of batch.rows, with the
// statistics of the whole global batch: per channel, with M = batch.rows · ∏* and Σ summed over
// every rank's elements of the channel,
//   μ = Σx / M,  σ² = Σ(x − μ)² / M,  x̂ = (x − μ)/√(σ² + eps),  y = x̂·w + b;
// running ← (1 − momentum)·running + momentum·(μ, σ²·M/(M − 1)) when defined. Backward
// (SyncBatchNormBackward), with ĝ = g·w: dx = (ĝ − Σĝ/M − x̂·Σ(ĝ·x̂)/M)/√(σ² + eps), the two
// sums over the ranks in one reduction; dw = Σ g·x̂ and db = Σ g over this rank's rows only
// (DataParallel averages them over the ranks, and data_parallel_step weights the losses so
// that the average is the global batch's gradient). w and b may be undefined.
Tensor sync_batch_norm(const Tensor& x, const Tensor& running_mean, const Tensor& running_var,
                       const Tensor& weight, const Tensor& bias, double momentum, double eps,
                       const ShardedBatch& batch);

}  // namespace gf::nn
