// torch.nn.functional: linear and one_hot (the losses are ops: src/ops/loss.cpp).
#include "gradflow/nn/functional.hpp"

#include <algorithm>

#include "gradflow/factories.hpp"
#include "gradflow/ops.hpp"

namespace gf::nn::functional {

Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias) {
  GF_CHECK(weight.dim() == 2, "linear: weight must be 2-D [out_features, in_features], got shape ",
           weight.sizes());
  GF_CHECK(x.dim() >= 1, "linear: input must have at least 1 dimension, got shape ", x.sizes());
  int64_t in = weight.sizes()[1], out = weight.sizes()[0];
  GF_CHECK(x.sizes().back() == in, "linear: input of shape ", x.sizes(),
           " does not match weight of shape ", weight.sizes(), " (last dim ", x.sizes().back(),
           " != in_features ", in, ")");
  GF_CHECK(!bias.defined() || (bias.dim() <= 1 && (bias.numel() == out || bias.numel() == 1)),
           "linear: bias of shape ", bias.defined() ? bias.sizes() : Shape{},
           " does not match out_features ", out);
  Tensor wt = t(weight);  // a view: GEMM reads it through a transpose flag
  if (x.dim() == 2) return bias.defined() ? addmm(bias, x, wt) : mm(x, wt);
  if (x.dim() == 1) return bias.defined() ? matmul(x, wt) + bias : matmul(x, wt);
  Shape out_shape = x.sizes();
  out_shape[out_shape.size() - 1] = out;
  Tensor x2 = reshape(x, {-1, in});  // [..., in] -> [rows, in]: one GEMM for every row
  return reshape(bias.defined() ? addmm(bias, x2, wt) : mm(x2, wt), out_shape);
}

Tensor one_hot(const Tensor& class_ids, int64_t num_classes) {
  GF_CHECK(class_ids.dtype() == DType::Int64,
           "one_hot: expected class ids of dtype torch.int64, "
           "got ",
           dtype_name(class_ids.dtype()));
  Tensor ids = class_ids.contiguous();
  const int64_t* p = ids.data_ptr<int64_t>();
  int64_t n = ids.numel();
  if (num_classes == -1) {
    GF_CHECK(n > 0, "one_hot: cannot infer the number of classes from an empty tensor");
    num_classes = *std::max_element(p, p + n) + 1;
  }
  GF_CHECK(num_classes >= 0, "one_hot: num_classes must be -1 or non-negative, got ", num_classes);
  for (int64_t i = 0; i < n; ++i) {
    GF_CHECK(p[i] >= 0, "one_hot: class values must be non-negative, got ", p[i]);
    GF_CHECK(p[i] < num_classes, "one_hot: class value ", p[i], " is out of range for ",
             num_classes, " classes");
  }
  Shape shape = ids.sizes();
  shape.push_back(num_classes);
  Tensor out = zeros(shape, DType::Int64);
  int64_t* o = out.data_ptr<int64_t>();
  for (int64_t i = 0; i < n; ++i) o[i * num_classes + p[i]] = 1;
  return out;
}

}  // namespace gf::nn::functional
