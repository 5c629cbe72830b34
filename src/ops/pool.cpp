// Pooling (nn/functional/pool.hpp). Each pool is a forward kernel over windows (kernels/pool.hpp)
// plus a backward that is itself an op, so double backward works:
//   max:  y = x[argmax]         dx = scatter of g to the argmax    d(dx)/dg: gather at the argmax
//   avg:  y = Σ_window x / d    dx = Σ_windows∋x g / d             d(dx)/dg: avg pool again
#include "../kernels/pool.hpp"

#include <algorithm>
#include <memory>

#include "gradflow/autograd/node.hpp"
#include "gradflow/factories.hpp"
#include "gradflow/nn/functional/pool.hpp"
#include "gradflow/ops.hpp"

namespace gf::nn::functional {

namespace {

using autograd::Grads;
using kernels::PoolGeometry;
using kernels::Window;
using Geometry = std::shared_ptr<const PoolGeometry>;

// Names of the node an op records and of the node its backward records.
struct Names {
  const char* forward;
  const char* backward;
};
constexpr Names kMaxPool{"MaxPool2DWithIndicesBackward0", "MaxPool2DWithIndicesBackwardBackward0"};
constexpr Names kAdaptiveMax{"AdaptiveMaxPool2DBackward0", "AdaptiveMaxPool2DBackwardBackward0"};
constexpr Names kAvgPool{"AvgPool2DBackward0", "AvgPool2DBackwardBackward0"};
constexpr Names kAdaptiveAvg{"AdaptiveAvgPool2DBackward0", "AdaptiveAvgPool2DBackwardBackward0"};

Tensor planes_of(const Tensor& x) { return x.detach().contiguous(); }

// [..., H, W] -> [..., P, Q]
Shape out_shape(const Tensor& x, const PoolGeometry& g) {
  Shape s = x.sizes();
  s[s.size() - 2] = g.P();
  s[s.size() - 1] = g.Q();
  return s;
}

// ---- max: forward, the scatter that is its backward, the gather that is the scatter's -------

Tensor max_scatter(const Tensor& g, const Tensor& indices, const Shape& x_shape,
                   const Geometry& geom, Names names);

std::tuple<Tensor, Tensor> max_pool(const Tensor& x, const Geometry& geom, Names names) {
  Tensor xc = planes_of(x);
  Shape s = out_shape(x, *geom);
  Tensor y = empty(s, x.dtype()), indices = empty(s, DType::Int64);
  kernels::max_pool2d_forward(xc, y, indices, *geom);
  Shape x_shape = x.sizes();
  autograd::record(y, names.forward, {x}, {{"result1", indices}},
                   [geom, names, x_shape](const Tensor& g, const Tensor& indices) -> Grads {
                     return {max_scatter(g, indices, x_shape, geom, names)};
                   });
  return {y, indices};
}

// dx[n, c, indices[n, c, k]] += g[n, c, k]
Tensor max_scatter(const Tensor& g, const Tensor& indices, const Shape& x_shape,
                   const Geometry& geom, Names names) {
  Tensor gx = empty(x_shape, g.dtype());
  kernels::max_pool2d_backward(planes_of(g), indices, gx, *geom);
  autograd::record(
      gx, names.backward, {g}, {{"indices", indices}},
      [](const Tensor& gz, const Tensor& indices) -> Grads {
        const int64_t planes = indices.numel() / (indices.size(-1) * indices.size(-2));
        Tensor at = gather(reshape(gz, {planes, -1}), 1, reshape(indices, {planes, -1}));
        return {reshape(at, indices.sizes())};
      });
  return gx;
}

// ---- average: forward and its backward, each the other's derivative -------------------------

Tensor avg_spread(const Tensor& g, const Shape& x_shape, const Geometry& geom, Names names);

Tensor avg_pool(const Tensor& x, const Geometry& geom, Names names) {
  Tensor y = empty(out_shape(x, *geom), x.dtype());
  kernels::avg_pool2d_forward(planes_of(x), y, *geom);
  Shape x_shape = x.sizes();
  autograd::record(y, names.forward, {x}, [geom, names, x_shape](const Tensor& g) -> Grads {
    return {avg_spread(g, x_shape, geom, names)};
  });
  return y;
}

Tensor avg_spread(const Tensor& g, const Shape& x_shape, const Geometry& geom, Names names) {
  Tensor gx = empty(x_shape, g.dtype());
  kernels::avg_pool2d_backward(planes_of(g), gx, *geom);
  autograd::record(gx, names.backward, {g}, [geom, names](const Tensor& gz) -> Grads {
    return {avg_pool(gz, geom, names)};
  });
  return gx;
}

// ---- geometry and checks, worded like torch's -------------------------------------------------

// torch's pooling_output_shape.
int64_t pool_out(int64_t in, int64_t k, int64_t pad, int64_t stride, int64_t dilation,
                 bool ceil_mode) {
  const int64_t num = in + 2 * pad - dilation * (k - 1) - 1 + (ceil_mode ? stride - 1 : 0);
  int64_t out = (num >= 0 ? num / stride : -((-num + stride - 1) / stride)) + 1;
  if (ceil_mode && (out - 1) * stride >= in + pad) --out;
  return out;
}

// Output o of a max pool: inputs o·stride − pad + i·dilation, i < k, that lie in [0, in).
Window max_window(int64_t o, int64_t k, int64_t stride, int64_t pad, int64_t dilation, int64_t in) {
  const int64_t start = o * stride - pad;
  const int64_t first = start < 0 ? (-start + dilation - 1) / dilation : 0;
  const int64_t last = std::min(k - 1, start > in - 1 ? -1 : (in - 1 - start) / dilation);
  return {start + first * dilation, std::max<int64_t>(0, last - first + 1), dilation, 1};
}

// Output o of an average pool (torch's avg_pool2d): the divisor counts the padding or not.
Window avg_window(int64_t o, int64_t k, int64_t stride, int64_t pad, int64_t in,
                  bool count_include_pad) {
  int64_t start = o * stride - pad, end = std::min(start + k, in + pad);
  const int64_t with_pad = end - start;
  start = std::max<int64_t>(start, 0);
  end = std::min(end, in);
  return {start, end - start, 1, double(count_include_pad ? with_pad : end - start)};
}

// Output o of an adaptive pool: [⌊o·in/out⌋, ⌈(o+1)·in/out⌉).
Window adaptive_window(int64_t o, int64_t in, int64_t out) {
  const int64_t start = o * in / out, end = ((o + 1) * in + out - 1) / out;
  return {start, end - start, 1, double(end - start)};
}

template <class F>
Tensor batched(const char* op, const Tensor& x, F f) {
  GF_CHECK((x.dim() == 3 || x.dim() == 4) && x.size(-1) > 0 && x.size(-2) > 0 && x.size(-3) > 0, op,
           ": Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, "
           "but got: ",
           x.sizes());
  GF_CHECK(is_floating(x.dtype()), op, ": expected a floating input, got ", dtype_name(x.dtype()));
  return f(x);  // planes: N·C, or C unbatched (torch keeps the unbatched op's own grad_fn)
}

struct PoolArgs {
  ExpandingArray<2> kernel, stride, padding, dilation;
  bool ceil_mode;
};

// torch's pool2d_shape_check, then the output size.
std::pair<int64_t, int64_t> checked_out(const char* op, const Tensor& x, const PoolArgs& a) {
  const int64_t kH = a.kernel[0], kW = a.kernel[1], sH = a.stride[0], sW = a.stride[1];
  const int64_t pH = a.padding[0], pW = a.padding[1], dH = a.dilation[0], dW = a.dilation[1];
  GF_CHECK(kH > 0 && kW > 0, op, ": kernel size should be greater than zero, but got kH: ", kH,
           " kW: ", kW);
  GF_CHECK(sH > 0 && sW > 0, op, ": stride should be greater than zero, but got dH: ", sH,
           " dW: ", sW);
  GF_CHECK(dH > 0 && dW > 0, op, ": dilation should be greater than zero, but got dilationH: ", dH,
           " dilationW: ", dW);
  GF_CHECK(pH >= 0 && pW >= 0, op, ": negative padding is not supported, but got padH = ", pH,
           ", padW = ", pW);
  GF_CHECK(kW / 2 >= pW && kH / 2 >= pH, op,
           ": pad should be smaller than or equal to half of kernel size, but got padW = ", pW,
           ", padH = ", pH, ", kW = ", kW, ", kH = ", kH);
  const int64_t H = x.size(-2), W = x.size(-1);
  const int64_t P = pool_out(H, kH, pH, sH, dH, a.ceil_mode);
  const int64_t Q = pool_out(W, kW, pW, sW, dW, a.ceil_mode);
  GF_CHECK(P >= 1 && Q >= 1, op, ": Given input size: (", x.size(-3), "x", H, "x", W,
           "). Calculated output size: (", x.size(-3), "x", P, "x", Q,
           "). Output size is too small");
  return {P, Q};
}

std::shared_ptr<PoolGeometry> base_geometry(const Tensor& x) {
  auto g = std::make_shared<PoolGeometry>();
  g->H = x.size(-2), g->W = x.size(-1), g->planes = x.numel() / (g->H * g->W);
  return g;
}

Geometry adaptive_geometry(const char* op, const Tensor& x, const ExpandingArray<2>& size) {
  GF_CHECK(size[0] >= 0 && size[1] >= 0, op, ": output_size must be non-negative, got ",
           size.tuple_repr());
  auto g = base_geometry(x);
  for (int64_t p = 0; p < size[0]; ++p) g->rows.push_back(adaptive_window(p, g->H, size[0]));
  for (int64_t q = 0; q < size[1]; ++q) g->cols.push_back(adaptive_window(q, g->W, size[1]));
  return g;
}

}  // namespace

std::tuple<Tensor, Tensor> max_pool2d_with_indices(const Tensor& input,
                                                   const MaxPool2dFuncOptions& o) {
  Tensor indices;
  Tensor y = batched("max_pool2d", input, [&](const Tensor& x) {
    PoolArgs a{o.kernel_size(), o.stride(), o.padding(), o.dilation(), o.ceil_mode()};
    auto [P, Q] = checked_out("max_pool2d", x, a);
    auto g = base_geometry(x);
    for (int64_t p = 0; p < P; ++p)
      g->rows.push_back(max_window(p, a.kernel[0], a.stride[0], a.padding[0], a.dilation[0], g->H));
    for (int64_t q = 0; q < Q; ++q)
      g->cols.push_back(max_window(q, a.kernel[1], a.stride[1], a.padding[1], a.dilation[1], g->W));
    auto [y, i] = max_pool(x, g, kMaxPool);
    indices = i;
    return y;
  });
  return {y, indices};
}

Tensor max_pool2d(const Tensor& input, const MaxPool2dFuncOptions& options) {
  return std::get<0>(max_pool2d_with_indices(input, options));
}

Tensor avg_pool2d(const Tensor& input, const AvgPool2dFuncOptions& o) {
  return batched("avg_pool2d", input, [&](const Tensor& x) {
    PoolArgs a{o.kernel_size(), o.stride(), o.padding(), 1, o.ceil_mode()};
    auto [P, Q] = checked_out("avg_pool2d", x, a);
    auto g = base_geometry(x);
    for (int64_t p = 0; p < P; ++p)
      g->rows.push_back(
          avg_window(p, a.kernel[0], a.stride[0], a.padding[0], g->H, o.count_include_pad()));
    for (int64_t q = 0; q < Q; ++q)
      g->cols.push_back(
          avg_window(q, a.kernel[1], a.stride[1], a.padding[1], g->W, o.count_include_pad()));
    if (o.divisor_override()) {
      GF_CHECK(*o.divisor_override() != 0, "avg_pool2d: divisor must be not zero");
      g->divisor = double(*o.divisor_override());
    }
    return avg_pool(x, g, kAvgPool);
  });
}

Tensor adaptive_avg_pool2d(const Tensor& input, const AdaptiveAvgPool2dFuncOptions& o) {
  return batched("adaptive_avg_pool2d", input, [&](const Tensor& x) {
    return avg_pool(x, adaptive_geometry("adaptive_avg_pool2d", x, o.output_size()), kAdaptiveAvg);
  });
}

std::tuple<Tensor, Tensor> adaptive_max_pool2d_with_indices(const Tensor& input,
                                                            const AdaptiveMaxPool2dFuncOptions& o) {
  Tensor indices;
  Tensor y = batched("adaptive_max_pool2d", input, [&](const Tensor& x) {
    auto [y, i] =
        max_pool(x, adaptive_geometry("adaptive_max_pool2d", x, o.output_size()), kAdaptiveMax);
    indices = i;
    return y;
  });
  return {y, indices};
}

Tensor adaptive_max_pool2d(const Tensor& input, const AdaptiveMaxPool2dFuncOptions& options) {
  return std::get<0>(adaptive_max_pool2d_with_indices(input, options));
}

}  // namespace gf::nn::functional
