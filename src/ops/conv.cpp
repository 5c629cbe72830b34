// Convolutions (nn/functional/conv.hpp). Three primitives, each differentiable in terms of the
// others, so any order of derivative is a graph of convolutions:
//   y = conv(x, w) + b          dx = conv_input_grad(g, w)   dw = conv_weight_grad(x, g)
//                               db = Σ_{n,p,q} g
//   z = conv_input_grad(gy, w)  (conv_transpose2d is this primitive)
//       <z, gz> = <gy, conv(gz, w)>:   d gy = conv(gz, w)          dw = conv_weight_grad(gz, gy)
//   v = conv_weight_grad(x, gy)
//       <v, gv> = <gy, conv(x, gv)>:   dx = conv_input_grad(gy, gv)  d gy = conv(x, gv)
// A 1-d convolution runs as the 2-d one with H = 1 (the kernels see [N, C, 1, L]).
#include "../kernels/conv.hpp"

#include <array>

#include "gradflow/autograd/node.hpp"
#include "gradflow/factories.hpp"
#include "gradflow/nn/functional/conv.hpp"
#include "gradflow/ops.hpp"

namespace gf::nn::functional {

namespace {

using autograd::Backward;
using autograd::Grads;
using kernels::ConvGeometry;

using Pair = std::array<int64_t, 2>;  // (height, width); a 1-d op uses height = identity

struct ConvParams {
  int spatial = 2;
  Pair stride{1, 1}, pad_begin{0, 0}, pad_end{0, 0}, dilation{1, 1};
  int64_t groups = 1;
};

constexpr const char* kForwardName = "ConvolutionBackward0";
constexpr const char* kBackwardName = "ConvolutionBackwardBackward0";

// A detached contiguous copy (or the tensor itself) seen as [N, C, H, W].
Tensor raw4d(const Tensor& t) {
  Tensor c = t.detach().contiguous();
  if (c.dim() == 4) return c;
  Shape s = c.sizes();
  s.insert(2, 1);
  return c.reshape(s);
}

// [N, C, 1, L] back to [N, C, L] for a 1-d op.
Tensor natural(const Tensor& t4, int spatial) {
  if (spatial == 2) return t4;
  Shape s = t4.sizes();
  s.erase(2);
  return t4.reshape(s);
}

ConvGeometry geometry(const Shape& x, const Shape& w, int64_t P, int64_t Q, const ConvParams& p) {
  ConvGeometry g;
  g.N = x[0], g.C = x[1], g.H = x[2], g.W = x[3];
  g.K = w[0], g.R = w[2], g.S = w[3];
  g.P = P, g.Q = Q;
  g.stride_h = p.stride[0], g.stride_w = p.stride[1];
  g.pad_top = p.pad_begin[0], g.pad_left = p.pad_begin[1];
  g.pad_bottom = p.pad_end[0], g.pad_right = p.pad_end[1];
  g.dilation_h = p.dilation[0], g.dilation_w = p.dilation[1];
  g.groups = p.groups;
  return g;
}

// ⌊(in + pads − dilation·(k − 1) − 1) / stride⌋ + 1
int64_t conv_out(int64_t in, int64_t k, int64_t i, const ConvParams& p) {
  return (in + p.pad_begin[i] + p.pad_end[i] - p.dilation[i] * (k - 1) - 1) / p.stride[i] + 1;
}

// db = Σ_{n,p,q} g: one pass over g when no graph of the backward is being recorded (the
// training hot path), differentiable sums otherwise (create_graph).
Tensor sum_except_channels(const Tensor& g) {
  if (!is_grad_enabled()) return kernels::channel_sum(g.detach().contiguous());
  Tensor t = g;
  for (int64_t d = g.dim() - 1; d >= 2; --d) t = sum(t, d);
  return sum(t, 0);
}

Tensor conv_input_grad(const Tensor& gy, const Tensor& w, const Tensor& b, const ConvParams& p,
                       Pair in_hw, const char* name);
Tensor conv_weight_grad(const Tensor& x, const Tensor& gy, const ConvParams& p,
                        const Shape& wshape);

// y = conv(x, w) + b
Tensor conv_forward(const Tensor& x, const Tensor& w, const Tensor& b, const ConvParams& p,
                    const char* name) {
  Tensor x4 = raw4d(x), w4 = raw4d(w);
  const int64_t P = conv_out(x4.size(2), w4.size(2), 0, p);
  const int64_t Q = conv_out(x4.size(3), w4.size(3), 1, p);
  Tensor y4 = empty({x4.size(0), w4.size(0), P, Q}, x.dtype());
  Tensor b1 = b.defined() ? b.detach().contiguous() : Tensor();
  kernels::conv2d_forward(x4, w4, b1, y4, geometry(x4.sizes(), w4.sizes(), P, Q, p));
  Tensor y = natural(y4, p.spatial);
  autograd::record(y, name, {x, w, b}, {{"input", x}, {"weight", w}},
                   [p](const Backward& bw, const Tensor& x, const Tensor& w) -> Grads {
                     const Tensor& g = bw.grad();
                     Pair hw{x.dim() == 4 ? x.size(2) : 1, x.size(-1)};
                     return {
                         bw.needs(0) ? conv_input_grad(g, w, {}, p, hw, kBackwardName) : Tensor(),
                         bw.needs(1) ? conv_weight_grad(x, g, p, w.sizes()) : Tensor(),
                         bw.needs(2) ? sum_except_channels(g) : Tensor()};
                   });
  return y;
}

// dx = conv_input_grad(gy, w) + b: the adjoint of x ↦ conv(x, w), of spatial size in_hw, plus
// a bias per channel (conv_transpose2d's).
Tensor conv_input_grad(const Tensor& gy, const Tensor& w, const Tensor& b, const ConvParams& p,
                       Pair in_hw, const char* name) {
  Tensor gy4 = raw4d(gy), w4 = raw4d(w);
  Shape x4{gy4.size(0), w4.size(1) * p.groups, in_hw[0], in_hw[1]};
  Tensor dx4 = empty(x4, gy.dtype());
  kernels::conv2d_backward_data(gy4, w4, dx4,
                                geometry(x4, w4.sizes(), gy4.size(2), gy4.size(3), p));
  if (b.defined()) kernels::add_channel_bias(dx4, b.detach().contiguous());
  Tensor dx = natural(dx4, p.spatial);
  autograd::record(dx, name, {gy, w, b}, {{"grad_output", gy}, {"weight", w}},
                   [p](const Backward& bw, const Tensor& gy, const Tensor& w) -> Grads {
                     const Tensor& gz = bw.grad();
                     return {bw.needs(0) ? conv_forward(gz, w, {}, p, kBackwardName) : Tensor(),
                             bw.needs(1) ? conv_weight_grad(gz, gy, p, w.sizes()) : Tensor(),
                             bw.needs(2) ? sum_except_channels(gz) : Tensor()};
                   });
  return dx;
}

// dw = conv_weight_grad(x, gy): the adjoint of w ↦ conv(x, w).
Tensor conv_weight_grad(const Tensor& x, const Tensor& gy, const ConvParams& p,
                        const Shape& wshape) {
  Tensor x4 = raw4d(x), gy4 = raw4d(gy);
  Shape w4 = wshape;
  if (p.spatial == 1) w4.insert(2, 1);
  Tensor dw4 = empty(w4, x.dtype());
  kernels::conv2d_backward_weights(x4, gy4, dw4,
                                   geometry(x4.sizes(), w4, gy4.size(2), gy4.size(3), p));
  Tensor dw = natural(dw4, p.spatial);
  autograd::record(dw, kBackwardName, {x, gy}, {{"input", x}, {"grad_output", gy}},
                   [p](const Backward& bw, const Tensor& x, const Tensor& gy) -> Grads {
                     const Tensor& gv = bw.grad();
                     Pair hw{x.dim() == 4 ? x.size(2) : 1, x.size(-1)};
                     return {
                         bw.needs(0) ? conv_input_grad(gy, gv, {}, p, hw, kBackwardName) : Tensor(),
                         bw.needs(1) ? conv_forward(x, gv, {}, p, kBackwardName) : Tensor()};
                   });
  return dw;
}

// ---- argument checks, worded like torch's ----------------------------------------------------

std::string sizes_str(const Pair& v, int spatial, const char* sep = " x ") {
  if (spatial == 1) return std::to_string(v[1]);
  return std::to_string(v[0]) + sep + std::to_string(v[1]);
}

template <std::size_t D>
Pair pair_of(const ExpandingArray<D>& a, int64_t identity) {
  if constexpr (D == 1)
    return {identity, a[0]};
  else
    return {a[0], a[1]};
}

// Checks dims, dtypes, groups and channels shared by conv and conv_transpose. `in_channels` is
// what the input must have: weight.size(1)·groups (conv) or weight.size(0) (transposed).
void check_common(const char* op, int spatial, const Tensor& x, const Tensor& w, const Tensor& b,
                  const ConvParams& p, bool transposed) {
  const int64_t d = spatial + 2;
  GF_CHECK(is_floating(x.dtype()), op, ": expected a floating input, got ", dtype_name(x.dtype()));
  GF_CHECK(x.dtype() == w.dtype(), op,
           ": expected input and weight to have the same dtype, but "
           "got input ",
           dtype_name(x.dtype()), " and weight ", dtype_name(w.dtype()));
  GF_CHECK(w.dim() == d, op, ": expected weight to be ", d, "-dimensional, but got weight of size ",
           w.sizes());
  GF_CHECK(p.groups > 0, op, ": non-positive groups is not supported");
  for (int i = 0; i < 2; ++i) {
    GF_CHECK(p.stride[i] > 0, op, ": non-positive stride is not supported");
    GF_CHECK(p.dilation[i] > 0, op, ": dilation should be greater than zero");
    GF_CHECK(p.pad_begin[i] >= 0 && p.pad_end[i] >= 0, op, ": negative padding is not supported");
  }
  if (transposed) {
    GF_CHECK(w.size(0) % p.groups == 0, op, ": Given groups=", p.groups,
             ", expected weight to be divisible by ", p.groups,
             " at dimension 0, but got weight of size ", w.sizes(), " instead");
    GF_CHECK(x.size(1) == w.size(0), op, ": Given transposed=1, weight of size ", w.sizes(),
             ", expected input", x.sizes(), " to have ", w.size(0), " channels, but got ",
             x.size(1), " channels instead");
  } else {
    GF_CHECK(w.size(0) % p.groups == 0, op, ": Given groups=", p.groups,
             ", expected weight to be divisible by ", p.groups,
             " at dimension 0, but got weight of size ", w.sizes(), " instead");
    GF_CHECK(x.size(1) == w.size(1) * p.groups, op, ": Given groups=", p.groups,
             ", weight of size ", w.sizes(), ", expected input", x.sizes(), " to have ",
             w.size(1) * p.groups, " channels, but got ", x.size(1), " channels instead");
  }
  const int64_t out_channels = transposed ? w.size(1) * p.groups : w.size(0);
  GF_CHECK(!b.defined() || (b.dim() == 1 && b.size(0) == out_channels), op,
           ": Given weight of size ", w.sizes(), ", expected bias to be 1-dimensional with ",
           out_channels, " elements, but got bias of size ", b.defined() ? b.sizes() : Shape{},
           " instead");
  GF_CHECK(!b.defined() || b.dtype() == x.dtype(), op, ": expected bias to be ",
           dtype_name(x.dtype()), ", got ", dtype_name(b.dtype()));
}

// Runs f on a batched input: unbatched [C, ...] gets a batch of one and loses it again.
template <class F>
Tensor batched(const char* op, int spatial, const Tensor& x, F f) {
  const int64_t d = spatial + 2;
  GF_CHECK(x.dim() == d || x.dim() == d - 1, "Expected ", d - 1, "D (unbatched) or ", d,
           "D (batched) input to ", op, ", but got input of size: ", x.sizes());
  if (x.dim() == d) return f(x);
  return squeeze(f(unsqueeze(x, 0)), 0);
}

template <std::size_t D>
Tensor conv_nd(const char* op, const Tensor& input, const Tensor& weight,
               const ConvFuncOptions<D>& o) {
  constexpr int spatial = static_cast<int>(D);
  return batched(op, spatial, input, [&](const Tensor& x) {
    ConvParams p;
    p.spatial = spatial;
    p.stride = pair_of(o.stride(), 1);
    p.dilation = pair_of(o.dilation(), 1);
    p.groups = o.groups();
    const PaddingKind kind = o.padding().kind();
    if (kind == PaddingKind::Explicit) {
      p.pad_begin = p.pad_end = pair_of(o.padding().values(), 0);
    } else if (kind == PaddingKind::Same && weight.dim() == spatial + 2) {
      GF_CHECK(o.stride().all(1), op, ": padding='same' is not supported for strided convolutions");
      for (int i = 2 - spatial; i < 2; ++i) {  // total d·(k − 1); the extra one goes after
        const int64_t total = p.dilation[i] * (weight.size(i + spatial) - 1);
        p.pad_begin[i] = total / 2;
        p.pad_end[i] = total - total / 2;
      }
    }
    check_common(op, spatial, x, weight, o.bias(), p, false);
    Pair padded{1, 1}, kernel{1, 1};
    for (int i = 2 - spatial; i < 2; ++i) {
      padded[i] = x.size(i + spatial) + p.pad_begin[i] + p.pad_end[i];
      kernel[i] = p.dilation[i] * (weight.size(i + spatial) - 1) + 1;
    }
    GF_CHECK(padded[0] >= kernel[0] && padded[1] >= kernel[1], op,
             ": Calculated padded input size per channel: (", sizes_str(padded, spatial),
             "). Kernel size: (", sizes_str(kernel, spatial),
             "). Kernel size can't be greater than actual input size");
    return conv_forward(x, weight, o.bias(), p, kForwardName);
  });
}

template <std::size_t D>
Tensor conv_transpose_nd(const char* op, const Tensor& input, const Tensor& weight,
                         const ConvTransposeFuncOptions<D>& o) {
  constexpr int spatial = static_cast<int>(D);
  return batched(op, spatial, input, [&](const Tensor& x) {
    ConvParams p;
    p.spatial = spatial;
    p.stride = pair_of(o.stride(), 1);
    p.dilation = pair_of(o.dilation(), 1);
    p.pad_begin = p.pad_end = pair_of(o.padding(), 0);
    p.groups = o.groups();
    const Pair out_pad = pair_of(o.output_padding(), 0);
    check_common(op, spatial, x, weight, o.bias(), p, true);
    for (int i = 0; i < 2; ++i)
      GF_CHECK(out_pad[i] >= 0 && (out_pad[i] < p.stride[i] || out_pad[i] < p.dilation[i]), op,
               ": output padding must be smaller than either stride or dilation, but got "
               "output_padding ",
               sizes_str(out_pad, spatial, ", "), ", stride ", sizes_str(p.stride, spatial, ", "),
               ", dilation ", sizes_str(p.dilation, spatial, ", "));
    // (in − 1)·stride − 2·pad + dilation·(k − 1) + output_padding + 1
    Pair hw{1, 1};
    for (int i = 2 - spatial; i < 2; ++i) {
      hw[i] = (x.size(i + spatial) - 1) * p.stride[i] - 2 * p.pad_begin[i] +
              p.dilation[i] * (weight.size(i + spatial) - 1) + out_pad[i] + 1;
      GF_CHECK(hw[i] > 0, op, ": Given input size per channel: (",
               sizes_str({x.dim() == 4 ? x.size(2) : 1, x.size(-1)}, spatial),
               "). Calculated output size per channel is too small: ", hw[i]);
    }
    return conv_input_grad(x, weight, o.bias(), p, hw, kForwardName);
  });
}

}  // namespace

Tensor conv1d(const Tensor& input, const Tensor& weight, const Conv1dFuncOptions& options) {
  return conv_nd("conv1d", input, weight, options);
}
Tensor conv2d(const Tensor& input, const Tensor& weight, const Conv2dFuncOptions& options) {
  return conv_nd("conv2d", input, weight, options);
}
Tensor conv_transpose1d(const Tensor& input, const Tensor& weight,
                        const ConvTranspose1dFuncOptions& options) {
  return conv_transpose_nd("conv_transpose1d", input, weight, options);
}
Tensor conv_transpose2d(const Tensor& input, const Tensor& weight,
                        const ConvTranspose2dFuncOptions& options) {
  return conv_transpose_nd("conv_transpose2d", input, weight, options);
}

}  // namespace gf::nn::functional
