// Parameter-free layers: activations, Flatten, Dropout, and the Sequential container.
#include <charconv>
#include <cstdlib>
#include <sstream>

#include "gradflow/factories.hpp"
#include "gradflow/generator.hpp"
#include "gradflow/nn/activation.hpp"
#include "gradflow/nn/container.hpp"
#include "gradflow/nn/dropout.hpp"
#include "gradflow/nn/flatten.hpp"
#include "gradflow/nn/functional/dropout.hpp"
#include "gradflow/nn/sharded_batch.hpp"
#include "gradflow/ops.hpp"
#include "python_repr.hpp"

namespace gf::nn {


Tensor ReLU::forward(const Tensor& input) { return relu(input); }
Tensor Sigmoid::forward(const Tensor& input) { return sigmoid(input); }
Tensor Tanh::forward(const Tensor& input) { return tanh(input); }

Tensor Softmax::forward(const Tensor& input) { return softmax(input, dim_); }
std::string Softmax::extra_repr() const { return "dim=" + std::to_string(dim_); }

Tensor LogSoftmax::forward(const Tensor& input) { return log_softmax(input, dim_); }
std::string LogSoftmax::extra_repr() const { return "dim=" + std::to_string(dim_); }

Tensor Flatten::forward(const Tensor& input) { return flatten(input, start_dim_, end_dim_); }
std::string Flatten::extra_repr() const {
  return "start_dim=" + std::to_string(start_dim_) + ", end_dim=" + std::to_string(end_dim_);
}

// y = x · m / (1 - p), m ~ Bernoulli(1 - p) per element; dy/dx = m / (1 - p) (MulBackward0).
Tensor dropout(const Tensor& input, double p, bool training) {
  GF_CHECK(p >= 0 && p <= 1, "dropout: probability has to be between 0 and 1, but got ", p);
  if (!training || p == 0) return input;
  GF_CHECK(is_floating(input.dtype()), "dropout: input must be floating, got ",
           dtype_name(input.dtype()));
  // One rank's shard of a data-parallel batch: the global batch's mask is drawn (as one process
  // draws it, keeping the generators of all ranks in step) and the shard's rows are used.
  const ShardedBatch* sharded = sharded_batch();
  if (sharded && (input.dim() == 0 || input.size(0) != sharded->end - sharded->begin))
    sharded = nullptr;  // not a tensor of the batch's rows
  Shape shape = input.sizes();
  if (sharded) shape[0] = sharded->rows;
  Tensor mask = empty(shape, input.dtype());
  Generator& g = default_generator();
  double keep = 1 - p;
  double scale = p == 1 ? 0.0 : 1.0 / keep;
  dispatch_floating(input.dtype(), [&](auto tag) {
    using T = decltype(tag);
    T* m = mask.data_ptr<T>();
    const T s = static_cast<T>(scale);
    for (int64_t i = 0, n = mask.numel(); i < n; ++i) m[i] = g.uniform() < keep ? s : T(0);
  });
  return input * (sharded ? mask.slice(0, sharded->begin, sharded->end) : mask);
}

namespace functional {

Tensor dropout(const Tensor& input, const DropoutFuncOptions& o) {
  return nn::dropout(input, o.p(), o.training());
}

// y = x · m / (1 − p) with one m ~ Bernoulli(1 − p) per (sample, channel), broadcast over the
// channel's elements; dy/dx = m / (1 − p) (MulBackward0).
Tensor dropout2d(const Tensor& input, const Dropout2dFuncOptions& o) {
  const double p = o.p();
  GF_CHECK(p >= 0 && p <= 1, "dropout2d: dropout probability has to be between 0 and 1, but got ",
           p);
  if (!o.training() || p == 0) return input;
  GF_CHECK(input.dim() >= 2,
           "dropout2d: Feature dropout requires at least 2 dimensions in the input, got ",
           input.sizes());
  GF_CHECK(is_floating(input.dtype()), "dropout2d: input must be floating, got ",
           dtype_name(input.dtype()));
  Shape mask_shape = Shape::filled(input.dim(), 1);
  mask_shape[0] = input.size(0);
  mask_shape[1] = input.size(1);
  Tensor mask = empty(mask_shape, input.dtype());
  Generator& g = default_generator();
  const double keep = 1 - p, scale = p == 1 ? 0.0 : 1.0 / keep;
  dispatch_floating(input.dtype(), [&](auto tag) {
    using T = decltype(tag);
    T* m = mask.data_ptr<T>();
    for (int64_t i = 0, n = mask.numel(); i < n; ++i) m[i] = g.uniform() < keep ? T(scale) : T(0);
  });
  return input * mask;
}

}  // namespace functional

Dropout::Dropout(double p) : Module("Dropout"), p_(p) {
  GF_CHECK(p >= 0 && p <= 1, "Dropout: probability has to be between 0 and 1, but got ", p);
}
Tensor Dropout::forward(const Tensor& input) { return dropout(input, p_, is_training()); }
std::string Dropout::extra_repr() const { return "p=" + detail::python_float(p_) + ", inplace=False"; }

Dropout2d::Dropout2d(double p) : Module("Dropout2d"), p_(p) {
  GF_CHECK(p >= 0 && p <= 1, "Dropout2d: dropout probability has to be between 0 and 1, but got ",
           p);
}
Tensor Dropout2d::forward(const Tensor& input) {
  return functional::dropout2d(input, functional::Dropout2dFuncOptions(p_).training(is_training()));
}
std::string Dropout2d::extra_repr() const {
  return "p=" + detail::python_float(p_) + ", inplace=False";
}

Sequential::Sequential(std::initializer_list<std::shared_ptr<Module>> modules)
    : Module("Sequential") {
  for (const auto& m : modules) push_back(m);
}

Tensor Sequential::forward(const Tensor& input) {
  Tensor x = input;
  for (const auto& [_, child] : named_children()) x = child->forward(x);
  return x;
}

std::shared_ptr<Module> Sequential::operator[](std::size_t i) const {
  GF_CHECK(i < size(), "Sequential: index ", i, " is out of range (size ", size(), ")");
  return named_children()[i].second;
}

}  // namespace gf::nn
