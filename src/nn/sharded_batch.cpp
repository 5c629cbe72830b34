// ShardedForward and sync_batch_norm (nn/sharded_batch.hpp).
#include "gradflow/nn/sharded_batch.hpp"

#include <algorithm>
#include <vector>

#include "gradflow/autograd/node.hpp"
#include "gradflow/error.hpp"
#include "gradflow/factories.hpp"
#include "gradflow/ops.hpp"

namespace gf::nn {
namespace {

thread_local const ShardedBatch* g_batch = nullptr;

}  // namespace

const ShardedBatch* sharded_batch() { return g_batch; }

ShardedForward::ShardedForward(ShardedBatch batch) : batch_(std::move(batch)), previous_(g_batch) {
  GF_CHECK(batch_.begin >= 0 && batch_.begin < batch_.end && batch_.end <= batch_.rows,
           "ShardedForward: the shard [", batch_.begin, ", ", batch_.end, ") of a batch of ",
           batch_.rows, " rows is empty or out of range (every rank needs rows)");
  GF_CHECK(static_cast<bool>(batch_.sum_over_ranks), "ShardedForward: no sum_over_ranks");
  g_batch = &batch_;
}
ShardedForward::~ShardedForward() { g_batch = previous_; }

Tensor sync_batch_norm(const Tensor& x, const Tensor& running_mean, const Tensor& running_var,
                       const Tensor& weight, const Tensor& bias, double momentum, double eps,
                       const ShardedBatch& batch) {
  GF_CHECK(x.dim() >= 2, "sync_batch_norm: expected an input of at least 2 dimensions [N, C, *], "
           "got ", x.sizes());
  GF_CHECK(batch.rows >= x.size(0), "sync_batch_norm: a global batch of ", batch.rows,
           " rows cannot hold this rank's ", x.size(0));
  const int64_t C = x.size(1);
  const double M =
      double(batch.rows) * double(x.numel() / std::max<int64_t>(1, x.size(0) * C));
  GF_CHECK(M > 1, "sync_batch_norm: Expected more than 1 value per channel when training, got ",
           "a global batch of ", batch.rows, " rows of ", x.sizes());
  std::vector<int64_t> dims{0};  // what a channel's statistics sum over
  for (int64_t d = 2; d < x.dim(); ++d) dims.push_back(d);
  Shape cs = Shape::filled(x.dim(), 1);  // a per-channel [C] broadcast against x
  cs[1] = C;
  const std::function<void(Tensor&)> sum_over_ranks = batch.sum_over_ranks;
  auto summed = [&](Tensor t) {  // Σ over the ranks of a fresh per-channel tensor
    t = t.contiguous();
    sum_over_ranks(t);
    return t;
  };
  const Tensor w = weight.defined() ? weight : ones({C}, x.dtype());
  const Tensor b = bias.defined() ? bias : zeros({C}, x.dtype());
  Tensor xhat, invstd, y;
  {
    NoGradGuard no_grad;  // one recorded node below, not the ops of the forward
    Tensor mean = summed(sum(x, dims)) / M;
    Tensor xc = x - mean.reshape(cs);
    Tensor var = summed(sum(xc * xc, dims)) / M;
    invstd = rsqrt(var + eps);
    xhat = xc * invstd.reshape(cs);
    y = xhat * w.reshape(cs) + b.reshape(cs);
    if (running_mean.defined()) {  // state, not graph values
      Tensor rm = running_mean, rv = running_var;
      rm.copy_(rm * (1 - momentum) + mean * momentum);
      rv.copy_(rv * (1 - momentum) + var * (momentum * M / (M - 1)));
    }
  }
  autograd::record(
      y, "SyncBatchNormBackward", {x, w, b}, {{"xhat", xhat}, {"invstd", invstd}, {"weight", w}},
      [=](const autograd::Backward& bw, const Tensor& xhat, const Tensor& invstd,
          const Tensor& w) -> autograd::Grads {
        const Tensor& g = bw.grad();
        Tensor gh = g * w.reshape(cs);
        // One reduction for both sums: [Σĝ, Σĝ·x̂] per channel.
        Tensor sums = cat({sum(gh, dims), sum(gh * xhat, dims)}).contiguous();
        sum_over_ranks(sums);
        Tensor gx = (gh - (sums.slice(0, 0, C) / M).reshape(cs) -
                     xhat * (sums.slice(0, C, 2 * C) / M).reshape(cs)) *
                    invstd.reshape(cs);
        return {gx, bw.needs(1) ? sum(g * xhat, dims) : Tensor(),
                bw.needs(2) ? sum(g, dims) : Tensor()};
      });
  return y;
}

}  // namespace gf::nn
