// BatchNorm1d / 2d / 3d: torch's _BatchNorm (buffers, the momentum rule, printing) over
// F::batch_norm.
#include "gradflow/nn/batchnorm.hpp"

#include "gradflow/factories.hpp"
#include "gradflow/nn/functional/batchnorm.hpp"
#include "gradflow/nn/sharded_batch.hpp"
#include "python_repr.hpp"

namespace gf::nn {

BatchNormBase::BatchNormBase(const char* type_name, const BatchNormOptions& o)
    : Module(type_name), options_(o) {
  GF_CHECK(o.num_features() > 0, type_name, ": num_features must be positive, got ",
           o.num_features());
  const int64_t C = o.num_features();
  if (o.affine()) {
    weight = register_parameter("weight", ones({C}, o.dtype()));
    bias = register_parameter("bias", zeros({C}, o.dtype()));
  }
  if (o.track_running_stats()) {
    running_mean = register_buffer("running_mean", zeros({C}, o.dtype()));
    running_var = register_buffer("running_var", ones({C}, o.dtype()));
    num_batches_tracked = register_buffer("num_batches_tracked", scalar_tensor(0, DType::Int64));
  }
}

void BatchNormBase::reset_running_stats() {
  if (!options_.track_running_stats()) return;
  NoGradGuard no_grad;
  running_mean.fill_(0);
  running_var.fill_(1);
  num_batches_tracked.fill_(0);
}

void BatchNormBase::reset_parameters() {
  reset_running_stats();
  if (!options_.affine()) return;
  NoGradGuard no_grad;
  weight.fill_(1);
  bias.fill_(0);
}

// torch's _BatchNorm.forward: the exponential average factor is momentum, or 1/num_batches
// (a cumulative moving average) when momentum is None; batch statistics are used in training
// and whenever no running statistics are kept.
Tensor BatchNormBase::forward(const Tensor& input) {
  check_input_dim(input);
  const BatchNormOptions& o = options_;
  double factor = o.momentum().value_or(0.0);
  if (is_training() && o.track_running_stats()) {
    int64_t* count = num_batches_tracked.data_ptr<int64_t>();
    ++*count;
    if (!o.momentum()) factor = 1.0 / double(*count);
  }
  const bool use_batch_stats = is_training() || !o.track_running_stats();
  const bool pass_running = !is_training() || o.track_running_stats();
  // One rank's shard of a data-parallel batch: the global batch's statistics (SyncBatchNorm).
  if (const ShardedBatch* sharded = sharded_batch(); sharded && use_batch_stats)
    return sync_batch_norm(input, pass_running ? running_mean : Tensor(),
                           pass_running ? running_var : Tensor(), weight, bias, factor, o.eps(),
                           *sharded);
  return functional::batch_norm(input, pass_running ? running_mean : Tensor(),
                                pass_running ? running_var : Tensor(),
                                functional::BatchNormFuncOptions()
                                    .weight(weight)
                                    .bias(bias)
                                    .training(use_batch_stats)
                                    .momentum(factor)
                                    .eps(o.eps()));
}

std::string BatchNormBase::extra_repr() const {
  const BatchNormOptions& o = options_;
  auto py_bool = [](bool b) { return b ? "True" : "False"; };
  return std::to_string(o.num_features()) + ", eps=" + detail::python_float(o.eps()) +
         ", momentum=" + (o.momentum() ? detail::python_float(*o.momentum()) : "None") +
         ", affine=" + py_bool(o.affine()) +
         ", track_running_stats=" + py_bool(o.track_running_stats());
}

void BatchNorm1d::check_input_dim(const Tensor& input) const {
  GF_CHECK(input.dim() == 2 || input.dim() == 3, "BatchNorm1d: expected 2D or 3D input (got ",
           input.dim(), "D input)");
}
void BatchNorm2d::check_input_dim(const Tensor& input) const {
  GF_CHECK(input.dim() == 4, "BatchNorm2d: expected 4D input (got ", input.dim(), "D input)");
}
void BatchNorm3d::check_input_dim(const Tensor& input) const {
  GF_CHECK(input.dim() == 5, "BatchNorm3d: expected 5D input (got ", input.dim(), "D input)");
}

}  // namespace gf::nn
