// batch_norm (nn/functional/batchnorm.hpp): per-channel statistics over the batch and the
// spatial dims, then a per-channel scale and shift. Forward and first backward are fused loops
// (kernels/batch_norm.hpp); under create_graph the backward is written with differentiable ops.
#include "../kernels/batch_norm.hpp"

#include <cmath>
#include <vector>

#include "gradflow/autograd/node.hpp"
#include "gradflow/factories.hpp"
#include "gradflow/nn/functional/batchnorm.hpp"
#include "gradflow/ops.hpp"

namespace gf::nn::functional {

namespace {

using autograd::Backward;
using autograd::Grads;

Tensor raw(const Tensor& t) { return t.defined() ? t.detach().contiguous() : Tensor(); }

// torch's checks in _batch_norm_impl_index / native_batch_norm, worded like them.
void check_batch_norm(const Tensor& x, const Tensor& rm, const Tensor& rv, const Tensor& w,
                      const Tensor& b, bool training) {
  GF_CHECK(x.dim() >= 2, "batch_norm: expected an input of at least 2 dimensions [N, C, *], got ",
           x.sizes());
  GF_CHECK(is_floating(x.dtype()), "batch_norm: expected a floating input, got ",
           dtype_name(x.dtype()));
  const int64_t C = x.size(1);
  const std::pair<const char*, const Tensor*> per_channel[] = {
      {"weight", &w}, {"bias", &b}, {"running_mean", &rm}, {"running_var", &rv}};
  for (const auto& [name, t] : per_channel) {
    if (!t->defined()) continue;
    GF_CHECK(t->numel() == C, "batch_norm: ", name, " should contain ", C, " elements not ",
             t->numel());
    GF_CHECK(t->dtype() == x.dtype(), "batch_norm: expected ", name, " of dtype ",
             dtype_name(x.dtype()), " like the input, but got ", dtype_name(t->dtype()));
  }
  GF_CHECK(training || (rm.defined() && rv.defined()),
           "batch_norm: running_mean must be defined in evaluation mode");
  GF_CHECK(rm.defined() == rv.defined(),
           "batch_norm: running_mean and running_var must be given together");
  if (training) {
    GF_CHECK(x.numel() / C != 1 || x.numel() == 0,
             "batch_norm: Expected more than 1 value per channel when training, got input size ",
             x.sizes());
  }
}

// running ← (1 − momentum)·running + momentum·batch, written in place without a version bump
// (torch's kernel writes the buffers the same way: they are state, not graph values).
void update_running(Tensor& running, const Tensor& batch, double momentum, double factor) {
  dispatch_floating(running.dtype(), [&](auto tag) {
    using T = decltype(tag);
    Tensor r = running.contiguous();
    T* p = r.data_ptr<T>();
    const T* q = batch.data_ptr<T>();
    for (int64_t c = 0, n = running.numel(); c < n; ++c)
      p[c] = T((1 - momentum) * double(p[c]) + momentum * factor * double(q[c]));
    if (!running.is_contiguous()) {
      NoGradGuard no_grad;
      running.detach().copy_(r);
    }
  });
}

}  // namespace

// x̂ = (x − μ)·r per channel, r = 1/√(σ² + eps);  y = x̂·w + b.  With ĝ = g·w and sums over the
// N·∏* elements of the channel (M of them):
//   training (μ, σ² functions of x): dx = r·(ĝ − Σĝ/M − x̂·Σ(ĝ·x̂)/M)
//   eval (running statistics, constants): dx = r·ĝ
//   dw = Σ g·x̂,  db = Σ g
Tensor batch_norm(const Tensor& input, const Tensor& running_mean, const Tensor& running_var,
                  const BatchNormFuncOptions& o) {
  const Tensor &w = o.weight(), &b = o.bias();
  const bool training = o.training();
  check_batch_norm(input, running_mean, running_var, w, b, training);
  GF_CHECK(!training || !running_mean.defined() || o.momentum().has_value(),
           "batch_norm: momentum must be a number when training updates the running statistics");
  const double eps = o.eps();
  const int64_t N = input.size(0), C = input.size(1);
  const kernels::BatchNormGeometry geom{N, C, N * C == 0 ? 1 : input.numel() / (N * C)};
  const int64_t M = geom.N * geom.S;
  Tensor x = raw(input), y = empty(input.sizes(), input.dtype());
  Tensor mean, invstd;  // the statistics that normalize this call
  if (training) {
    mean = empty({C}, input.dtype());
    Tensor var = empty({C}, input.dtype());
    kernels::batch_norm_stats(x, geom, mean, var);
    invstd = rsqrt(var + eps);
    if (running_mean.defined()) {
      Tensor rm = running_mean, rv = running_var;
      update_running(rm, mean, *o.momentum(), 1.0);
      update_running(rv, var, *o.momentum(), M > 1 ? double(M) / double(M - 1) : 1.0);
    }
  } else {
    mean = raw(running_mean);
    invstd = rsqrt(raw(running_var) + eps);
  }
  kernels::batch_norm_apply(x, mean, invstd, raw(w), raw(b), geom, y);

  Shape param_shape = Shape::filled(input.dim(), 1);
  param_shape[1] = C;
  std::vector<int64_t> dims{0};
  for (int64_t d = 2; d < input.dim(); ++d) dims.push_back(d);
  const Tensor none;
  autograd::record(
      y, "NativeBatchNormBackward0", {input, w, b},
      {{"input", input},
       {"weight", w},
       {"running_mean", running_mean},
       {"running_var", running_var},
       {"result1", training ? mean : none},
       {"result2", training ? invstd : none}},
      [=](const Backward& bw, const Tensor& x, const Tensor& w, const Tensor& rm, const Tensor& rv,
          const Tensor& save_mean, const Tensor& save_invstd) -> Grads {
        const Tensor& g = bw.grad();
        Tensor mu = training ? save_mean : raw(rm);
        Tensor r = training ? save_invstd : rsqrt(raw(rv) + eps);
        if (!is_grad_enabled()) {  // first order: one fused pass per channel
          Tensor gx = bw.needs(0) ? empty(x.sizes(), x.dtype()) : Tensor();
          Tensor gw = bw.needs(1) ? empty({C}, x.dtype()) : Tensor();
          Tensor gb = bw.needs(2) ? empty({C}, x.dtype()) : Tensor();
          kernels::batch_norm_backward(raw(g), raw(x), mu, r, raw(w), training, geom, gx, gw, gb);
          return {gx, gw, gb};
        }
        Tensor xhat;
        if (training) {  // the statistics recomputed from x, so their derivatives flow
          Tensor xc = x - gf::mean(x, dims, true);
          r = rsqrt(gf::mean(xc * xc, dims, true) + eps);
          xhat = xc * r;
        } else {
          r = r.reshape(param_shape);
          xhat = (x - mu.reshape(param_shape)) * r;
        }
        Tensor gh = w.defined() ? g * w.reshape(param_shape) : g;
        Tensor gx;
        if (bw.needs(0))
          gx = training
                   ? r * (gh - gf::mean(gh, dims, true) - xhat * gf::mean(gh * xhat, dims, true))
                   : r * gh;
        return {gx, bw.needs(1) ? gf::sum(g * xhat, dims) : Tensor(),
                bw.needs(2) ? gf::sum(g, dims) : Tensor()};
      });
  return y;
}

}  // namespace gf::nn::functional
