// ShardedForward and sync_batch_norm (sharded_batch.hpp).
#include "gradflow/distributed/sharded_batch.hpp"

#include <vector>

#include "gradflow/autograd/function.hpp"
#include "gradflow/distributed/distributed.hpp"
#include "gradflow/error.hpp"
#include "gradflow/factories.hpp"
#include "gradflow/ops.hpp"

namespace gf::distributed {
namespace {

thread_local const ShardedBatch* g_batch = nullptr;

// The dims of [N, C, *] that a channel's statistics sum over, and the shape that broadcasts a
// per-channel [C] against x.
std::vector<int64_t> reduce_dims(int64_t dim) {
  std::vector<int64_t> d{0};
  for (int64_t k = 2; k < dim; ++k) d.push_back(k);
  return d;
}
Shape channel_shape(const Tensor& x) {
  Shape s = Shape::filled(x.dim(), 1);
  s[1] = x.size(1);
  return s;
}

// Σ over the ranks of a fresh per-channel tensor.
Tensor summed(Tensor t) {
  t = t.contiguous();
  all_reduce(t, ReduceOp::Sum);
  return t;
}

struct SyncBatchNorm : autograd::Function<SyncBatchNorm> {
  static std::string name() { return "SyncBatchNorm"; }
  static Tensor forward(autograd::Context& ctx, const Tensor& x, const Tensor& w, const Tensor& b,
                        const Tensor* running_mean, const Tensor* running_var, double momentum,
                        double eps, double M) {
    const auto dims = reduce_dims(x.dim());
    const Shape cs = channel_shape(x);
    Tensor mean = summed(sum(x, dims)) / M;
    Tensor xc = x - mean.reshape(cs);
    Tensor var = summed(sum(xc * xc, dims)) / M;
    Tensor invstd = rsqrt(var + eps);
    Tensor xhat = xc * invstd.reshape(cs);
    if (running_mean->defined()) {  // (pointers: tensor arguments would be inputs)
      Tensor rm = *running_mean, rv = *running_var;
      rm.copy_(rm * (1 - momentum) + mean * momentum);
      rv.copy_(rv * (1 - momentum) + var * (momentum * M / (M - 1)));
    }
    ctx.save_for_backward({xhat, invstd, w});
    ctx.saved_data["M"] = M;
    return xhat * w.reshape(cs) + b.reshape(cs);
  }
  static std::vector<Tensor> backward(autograd::Context& ctx, const std::vector<Tensor>& grad) {
    const auto s = ctx.saved_tensors();
    const Tensor &xhat = s[0], &invstd = s[1], &w = s[2], &g = grad[0];
    const double M = ctx.saved_data.at("M");
    const auto dims = reduce_dims(g.dim());
    const Shape cs = channel_shape(g);
    const int64_t C = g.size(1);
    Tensor gh = g * w.reshape(cs);
    // One all-reduce for both sums: [Σĝ, Σĝ·x̂] per channel.
    Tensor sums = summed(cat({sum(gh, dims), sum(gh * xhat, dims)}));
    Tensor gx = (gh - (sums.slice(0, 0, C) / M).reshape(cs) -
                 xhat * (sums.slice(0, C, 2 * C) / M).reshape(cs)) *
                invstd.reshape(cs);
    return {gx, ctx.needs_input_grad(1) ? sum(g * xhat, dims) : Tensor(),
            ctx.needs_input_grad(2) ? sum(g, dims) : Tensor()};
  }
};

}  // namespace

const ShardedBatch* sharded_batch() { return g_batch; }

ShardedForward::ShardedForward(const ShardedBatch& batch) : batch_(batch), previous_(g_batch) {
  GF_CHECK(batch.begin >= 0 && batch.begin < batch.end && batch.end <= batch.rows,
           "ShardedForward: the shard [", batch.begin, ", ", batch.end, ") of a batch of ",
           batch.rows, " rows is empty or out of range (every rank needs rows)");
  g_batch = &batch_;
}
ShardedForward::~ShardedForward() { g_batch = previous_; }

Tensor sync_batch_norm(const Tensor& x, const Tensor& running_mean, const Tensor& running_var,
                       const Tensor& weight, const Tensor& bias, double momentum, double eps,
                       int64_t global_rows) {
  GF_CHECK(x.dim() >= 2, "sync_batch_norm: expected an input of at least 2 dimensions [N, C, *], "
           "got ", x.sizes());
  GF_CHECK(global_rows >= x.size(0), "sync_batch_norm: a global batch of ", global_rows,
           " rows cannot hold this rank's ", x.size(0));
  const int64_t C = x.size(1);
  const double M = double(global_rows) * double(x.numel() / std::max<int64_t>(1, x.size(0) * C));
  GF_CHECK(M > 1, "sync_batch_norm: Expected more than 1 value per channel when training, got ",
           "a global batch of ", global_rows, " rows of ", x.sizes());
  const Tensor w = weight.defined() ? weight : ones({C}, x.dtype());
  const Tensor b = bias.defined() ? bias : zeros({C}, x.dtype());
  return SyncBatchNorm::apply(x, w, b, &running_mean, &running_var, momentum, eps, M);
}

}  // namespace gf::distributed
