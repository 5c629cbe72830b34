// layer_norm (nn/functional/normalization.hpp): normalize over the last dims, then scale and
// shift elementwise. Forward and first backward are fused kernels (kernels/norm.hpp); under
// create_graph the backward is written with differentiable ops, so double backward works.
#include "../kernels/norm.hpp"
#include "gradflow/autograd/node.hpp"
#include "gradflow/nn/functional/normalization.hpp"
#include "gradflow/ops.hpp"

namespace gf::nn::functional {

namespace {

using autograd::Backward;
using autograd::Grads;

// torch's _check_layer_norm_inputs, worded like it.
void check_layer_norm(const Tensor& x, const Shape& shape, const Tensor& w, const Tensor& b) {
  GF_CHECK(!shape.empty(),
           "layer_norm: Expected normalized_shape to be at least 1-dimensional, i.e., containing "
           "at least one element, but got normalized_shape = ",
           shape);
  GF_CHECK(!w.defined() || w.sizes() == shape,
           "layer_norm: Expected weight to be of same shape as normalized_shape, but got weight "
           "of shape ",
           w.sizes(), " and normalized_shape = ", shape);
  GF_CHECK(!b.defined() || b.sizes() == shape,
           "layer_norm: Expected bias to be of same shape as normalized_shape, but got bias of "
           "shape ",
           b.sizes(), " and normalized_shape = ", shape);
  const int64_t nd = x.dim(), k = static_cast<int64_t>(shape.size());
  bool match = nd >= k;
  for (int64_t i = 0; match && i < k; ++i) match = x.size(nd - k + i) == shape[i];
  if (!match) {
    std::string expected = "[*";
    for (int64_t s : shape) expected += ", " + std::to_string(s);
    GF_CHECK(false, "layer_norm: Given normalized_shape=", shape, ", expected input with shape ",
             expected, "], but got input of size", x.sizes());
  }
  GF_CHECK(is_floating(x.dtype()), "layer_norm: expected a floating input, got ",
           dtype_name(x.dtype()));
  for (const Tensor* p : {&w, &b})
    GF_CHECK(!p->defined() || p->dtype() == x.dtype(), "layer_norm: expected ",
             p == &w ? "weight" : "bias", " of dtype ", dtype_name(x.dtype()),
             " like the input, but got ", dtype_name(p->dtype()));
}

Tensor raw(const Tensor& t) { return t.defined() ? t.detach().contiguous() : Tensor(); }

}  // namespace

// x̂ = (x − μ)·r with μ, r = 1/√(var + eps) over the last d dims;  y = x̂·w + b.
//   ĝ = g·w:  dx = r·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)),  dw = Σ g·x̂,  db = Σ g  (over leading dims)
Tensor layer_norm(const Tensor& input, const LayerNormFuncOptions& o) {
  const Shape shape(o.normalized_shape());
  const Tensor &w = o.weight(), &b = o.bias();
  check_layer_norm(input, shape, w, b);
  const int64_t d = static_cast<int64_t>(shape.size()), K = shape.numel();
  const double eps = o.eps();
  Shape stat_shape = input.sizes();
  for (int64_t i = 0; i < d; ++i) stat_shape[stat_shape.size() - 1 - i] = 1;
  Tensor x = raw(input), y = empty(input.sizes(), input.dtype());
  Tensor mean = empty(stat_shape, input.dtype()), rstd = empty(stat_shape, input.dtype());
  const kernels::NormGeometry geom{K == 0 ? 0 : input.numel() / K, K, 1, 1};
  kernels::norm_forward(x, raw(w), raw(b), eps, geom, y, mean, rstd);
  autograd::record(y, "NativeLayerNormBackward0", {input, w, b},
                   {{"input", input}, {"weight", w}, {"result1", mean}, {"result2", rstd}},
                   [=](const Backward& bw, const Tensor& x, const Tensor& w, const Tensor& mean,
                       const Tensor& rstd) -> Grads {
                     const Tensor& g = bw.grad();
                     if (!is_grad_enabled()) {  // first order: one fused pass
                       Tensor gx = bw.needs(0) ? empty(x.sizes(), x.dtype()) : Tensor();
                       Tensor gw = bw.needs(1) ? empty(w.sizes(), x.dtype()) : Tensor();
                       Tensor gb = bw.needs(2) ? empty(w.defined() ? w.sizes() : shape, x.dtype())
                                               : Tensor();
                       kernels::norm_backward(raw(g), raw(x), mean.contiguous(), rstd.contiguous(),
                                              raw(w), geom, gx, gw, gb);
                       return {gx, gw, gb};
                     }
                     std::vector<int64_t> dims;
                     for (int64_t i = x.dim() - d; i < x.dim(); ++i) dims.push_back(i);
                     Tensor xc = x - gf::mean(x, dims, true);
                     Tensor r = rsqrt(gf::mean(xc * xc, dims, true) + eps);
                     Tensor xhat = xc * r;
                     Tensor gh = w.defined() ? g * w : g;
                     Tensor gx = bw.needs(0) ? r * (gh - gf::mean(gh, dims, true) -
                                                    xhat * gf::mean(gh * xhat, dims, true))
                                             : Tensor();
                     return {gx, bw.needs(1) ? g * xhat : Tensor(), bw.needs(2) ? g : Tensor()};
                   });
  return y;
}

}  // namespace gf::nn::functional
