// group_norm (nn/functional/normalization.hpp): x [N, C, *] seen as [N·G, (C/G)·spatial] rows,
// each normalized, then scaled and shifted per channel. Forward and first backward are fused
// kernels (kernels/norm.hpp); under create_graph the backward is written with differentiable
// ops, so double backward works.
#include "../kernels/norm.hpp"
#include "gradflow/autograd/node.hpp"
#include "gradflow/nn/functional/normalization.hpp"
#include "gradflow/ops.hpp"

namespace gf::nn::functional {

namespace {

using autograd::Backward;
using autograd::Grads;

// torch's checks (F.group_norm and native_group_norm), worded like them.
void check_group_norm(const Tensor& x, int64_t G, const Tensor& w, const Tensor& b) {
  GF_CHECK(x.dim() >= 2,
           "group_norm: Expected at least 2 dimensions for input tensor but received ", x.dim());
  GF_CHECK(G > 0, "group_norm: num_groups must be positive, but got num_groups=", G);
  const int64_t C = x.size(1);
  GF_CHECK(C % G == 0,
           "group_norm: Expected number of channels in input to be divisible by num_groups, but "
           "got input of shape ",
           x.sizes(), " and num_groups=", G);
  GF_CHECK(!w.defined() || (w.dim() == 1 && w.numel() == C),
           "group_norm: Expected weight to be a vector of size equal to the number of channels in "
           "input, but got weight of shape ",
           w.sizes(), " and input of shape ", x.sizes());
  GF_CHECK(!b.defined() || (b.dim() == 1 && b.numel() == C),
           "group_norm: Expected bias to be a vector of size equal to the number of channels in "
           "input, but got bias of shape ",
           b.sizes(), " and input of shape ", x.sizes());
  GF_CHECK(is_floating(x.dtype()), "group_norm: expected a floating input, got ",
           dtype_name(x.dtype()));
  for (const Tensor* p : {&w, &b})
    GF_CHECK(!p->defined() || p->dtype() == x.dtype(), "group_norm: expected ",
             p == &w ? "weight" : "bias", " of dtype ", dtype_name(x.dtype()),
             " like the input, but got ", dtype_name(p->dtype()));
}

Tensor raw(const Tensor& t) { return t.defined() ? t.detach().contiguous() : Tensor(); }

}  // namespace

// Per sample n and group: x̂ = (x − μ)·r over the group's channels and positions,
// r = 1/√(var + eps);  y = x̂·w[c] + b[c].
//   ĝ = g·w[c]:  dx = r·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)) per group,
//   dw[c] = Σ_{n, positions} g·x̂,  db[c] = Σ_{n, positions} g
Tensor group_norm(const Tensor& input, const GroupNormFuncOptions& o) {
  const int64_t G = o.num_groups();
  const Tensor &w = o.weight(), &b = o.bias();
  check_group_norm(input, G, w, b);
  const int64_t N = input.size(0), C = input.size(1);
  int64_t inner = 1;  // positions per channel
  for (int64_t i = 2; i < input.dim(); ++i) inner *= input.size(i);
  const double eps = o.eps();
  Tensor x = raw(input), y = empty(input.sizes(), input.dtype());
  Tensor mean = empty({N, G}, input.dtype()), rstd = empty({N, G}, input.dtype());
  const kernels::NormGeometry geom{N * G, (C / G) * inner, G, inner};
  kernels::norm_forward(x, raw(w), raw(b), eps, geom, y, mean, rstd);
  autograd::record(
      y, "NativeGroupNormBackward0", {input, w, b},
      {{"input", input}, {"weight", w}, {"result1", mean}, {"result2", rstd}},
      [=](const Backward& bw, const Tensor& x, const Tensor& w, const Tensor& mean,
          const Tensor& rstd) -> Grads {
        const Tensor& g = bw.grad();
        if (!is_grad_enabled()) {  // first order: one fused pass
          Tensor gx = bw.needs(0) ? empty(x.sizes(), x.dtype()) : Tensor();
          Tensor gw = bw.needs(1) ? empty({C}, x.dtype()) : Tensor();
          Tensor gb = bw.needs(2) ? empty({C}, x.dtype()) : Tensor();
          kernels::norm_backward(raw(g), raw(x), mean.contiguous(), rstd.contiguous(), raw(w), geom,
                                 gx, gw, gb);
          return {gx, gw, gb};
        }
        Shape per_channel = Shape::filled(x.dim(), 1);  // [1, C, 1, ...]
        per_channel[1] = C;
        std::vector<int64_t> not_channels{0};
        for (int64_t i = 2; i < x.dim(); ++i) not_channels.push_back(i);
        Tensor x3 = reshape(x, {N, G, -1});
        Tensor xc = x3 - gf::mean(x3, 2, true);
        Tensor r = rsqrt(gf::mean(xc * xc, 2, true) + eps);
        Tensor xhat3 = xc * r;
        Tensor gh3 = reshape(w.defined() ? g * reshape(w, per_channel) : g, {N, G, -1});
        Tensor gx = bw.needs(0) ? reshape(r * (gh3 - gf::mean(gh3, 2, true) -
                                               xhat3 * gf::mean(gh3 * xhat3, 2, true)),
                                          x.sizes())
                                : Tensor();
        Tensor gw = bw.needs(1) ? gf::sum(g * reshape(xhat3, x.sizes()), not_channels) : Tensor();
        Tensor gb = bw.needs(2) ? gf::sum(g, not_channels) : Tensor();
        return {gx, gw, gb};
      });
  return y;
}

}  // namespace gf::nn::functional
