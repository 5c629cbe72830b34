// interpolate (nn/functional/upsampling.hpp): nearest, nearest-exact, linear and bilinear are
// one separable resampling (kernels/interpolate.hpp) described by per-dim taps computed with
// torch's index formulas; area is adaptive_avg_pool2d. The resampling is linear in x, so
//   y = A x,   dx = Aᵀ g (the spread),   d(dx)/dg = A again:
// forward and backward are each other's derivative and double backward works.
#include "../kernels/interpolate.hpp"

#include <algorithm>
#include <cmath>
#include <memory>
#include <sstream>
#include <string>

#include "gradflow/autograd/node.hpp"
#include "gradflow/nn/functional/pool.hpp"
#include "gradflow/nn/functional/upsampling.hpp"
#include "gradflow/ops.hpp"

namespace gf::nn::functional {

namespace {

using autograd::Grads;
using kernels::InterpolateGeometry;
using kernels::Taps;
using Geometry = std::shared_ptr<const InterpolateGeometry>;
using Scale = std::optional<double>;

// Names of the node the resampling records and of the node its spread records.
struct Names {
  const char* forward;
  const char* backward;
};

// ---- the resampling and its adjoint, each the other's derivative ------------------------------

Tensor spread(const Tensor& g, const Shape& x_shape, const Geometry& geom, Names names);

Tensor resample(const Tensor& x, const Shape& y_shape, const Geometry& geom, Names names) {
  Tensor y = empty(y_shape, x.dtype());
  kernels::interpolate_forward(x.detach().contiguous(), y, *geom);
  const Shape x_shape = x.sizes();
  autograd::record(y, names.forward, {x},
                   [=](const Tensor& g) -> Grads { return {spread(g, x_shape, geom, names)}; });
  return y;
}

Tensor spread(const Tensor& g, const Shape& x_shape, const Geometry& geom, Names names) {
  Tensor gx = empty(x_shape, g.dtype());
  kernels::interpolate_backward(g.detach().contiguous(), gx, *geom);
  const Shape y_shape = g.sizes();
  autograd::record(gx, names.backward, {g},
                   [=](const Tensor& gz) -> Grads { return {resample(gz, y_shape, geom, names)}; });
  return gx;
}

// ---- taps per dim: torch's index formulas (UpSample.h), in torch's precision ----------------

// compute_scales_value: 1/scale when given, else in/out.
template <class T>
T scales_value(Scale scale, int64_t in, int64_t out) {
  return scale && *scale > 0 ? static_cast<T>(1.0 / *scale) : static_cast<T>(in) / out;
}

// nearest_idx / nearest_exact_idx: the scale is a float whatever the dtype.
std::vector<Taps> nearest_taps(int64_t in, int64_t out, Scale scale, bool exact) {
  const float s = scales_value<float>(scale, in, out);
  std::vector<Taps> taps(out);
  for (int64_t dst = 0; dst < out; ++dst) {
    int64_t src;
    if (exact)
      src = static_cast<int64_t>(std::floor(static_cast<float>((dst + 0.5) * s)));
    else if (out == in)
      src = dst;
    else if (out == 2 * in)
      src = dst >> 1;
    else
      src = static_cast<int64_t>(std::floor(static_cast<float>(dst) * s));
    taps[dst].i0 = taps[dst].i1 = std::min(src, in - 1);
  }
  return taps;
}

// area_pixel_compute_scale, area_pixel_compute_source_index, compute_source_index_and_lambda,
// in the dtype's own precision (float for Float32), as torch computes them.
template <class T>
std::vector<Taps> linear_taps(int64_t in, int64_t out, bool align_corners, Scale scale) {
  const T ratio = align_corners ? (out > 1 ? static_cast<T>(in - 1) / (out - 1) : T(0))
                                : scales_value<T>(scale, in, out);
  std::vector<Taps> taps(out);
  for (int64_t dst = 0; dst < out; ++dst) {
    Taps& t = taps[dst];
    if (out == in) {  // a copy
      t = {dst, dst, 1, 0};
      continue;
    }
    T real = align_corners ? ratio * static_cast<T>(dst) : ratio * (dst + T(0.5)) - T(0.5);
    if (real < T(0)) real = T(0);
    t.i0 = static_cast<int64_t>(real);
    t.i1 = t.i0 + (t.i0 < in - 1 ? 1 : 0);
    const T l1 = std::min(std::max(real - static_cast<T>(t.i0), T(0)), T(1));
    t.w1 = l1;
    t.w0 = T(1) - l1;
  }
  return taps;
}

// ---- options, checked and worded like torch's F.interpolate ----------------------------------

const char* const kModes =
    "nearest | linear | bilinear | bicubic | trilinear | area | nearest-exact";

std::string list_str(const std::vector<int64_t>& v) {
  std::string s = "[";
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
  return s + "]";
}

std::string list_str(const std::vector<double>& v) {
  std::string s = "[";
  for (std::size_t i = 0; i < v.size(); ++i) {
    std::ostringstream o;
    o << v[i];
    s += (i ? ", " : "") + o.str();
  }
  return s + "]";
}

void check_rank(const Tensor& x, InterpolateMode mode) {
  const char* name = interpolate_mode_name(mode);
  const int64_t d = x.dim();
  GF_CHECK(d >= 3 && d <= 5,
           "interpolate: Input Error: Only 3D, 4D and 5D input Tensors supported (got ", d,
           "D) for the modes: ", kModes, " (got ", name, ")");
  switch (mode) {
    case InterpolateMode::Linear:
      GF_CHECK(d == 3, "interpolate: Got ", d, "D input, but linear mode needs 3D input");
      break;
    case InterpolateMode::Bilinear:
      GF_CHECK(d == 4, "interpolate: Got ", d, "D input, but bilinear mode needs 4D input");
      break;
    case InterpolateMode::Bicubic:
    case InterpolateMode::Trilinear:
      GF_CHECK(false, "interpolate: mode ", name, " is not implemented in gradflow");
      break;
    case InterpolateMode::Area:
      GF_CHECK(d == 4, "interpolate: area mode on ", d,
               "D input is not implemented in gradflow (4D only)");
      break;
    default:  // nearest, nearest-exact
      GF_CHECK(d <= 4, "interpolate: ", name, " mode on 5D input is not implemented in gradflow");
  }
}

struct Plan {
  std::vector<int64_t> out;   // output size per spatial dim
  std::vector<Scale> scales;  // the scale factor the sampling uses per dim (none: in / out)
};

Plan plan(const Tensor& x, const InterpolateFuncOptions& o) {
  const int64_t dim = x.dim() - 2;
  std::vector<int64_t> in;
  for (int64_t i = 0; i < dim; ++i) in.push_back(x.size(2 + i));
  const auto& size = o.size();
  const auto& sf = o.scale_factor();
  GF_CHECK(!(size && sf), "interpolate: only one of size or scale_factor should be defined");
  GF_CHECK(size || sf, "interpolate: either size or scale_factor should be defined");
  Plan p;
  p.scales.assign(dim, std::nullopt);
  if (size) {
    GF_CHECK(size->size() == 1 || static_cast<int64_t>(size->size()) == dim,
             "interpolate: Input and output must have the same number of spatial dimensions, but "
             "got input with spatial dimensions of ",
             list_str(in), " and output size of ", list_str(*size),
             ". Please provide input tensor in (N, C, d1, d2, ...,dK) format and output size in "
             "(o1, o2, ...,oK) format.");
    GF_CHECK(!o.recompute_scale_factor().value_or(false),
             "interpolate: recompute_scale_factor is not meaningful with an explicit size.");
    for (int64_t i = 0; i < dim; ++i) p.out.push_back((*size)[size->size() == 1 ? 0 : i]);
  } else {
    GF_CHECK(sf->size() == 1 || static_cast<int64_t>(sf->size()) == dim,
             "interpolate: Input and scale_factor must have the same number of spatial "
             "dimensions, but got input with spatial dimensions of ",
             list_str(in), " and scale_factor of shape ", list_str(*sf),
             ". Please provide input tensor in (N, C, d1, d2, ...,dK) format and scale_factor in "
             "(s1, s2, ...,sK) format.");
    const bool recompute =
        o.recompute_scale_factor().value_or(false) || o.mode() == InterpolateMode::Area;
    for (int64_t i = 0; i < dim; ++i) {
      const double s = (*sf)[sf->size() == 1 ? 0 : i];
      p.out.push_back(static_cast<int64_t>(std::floor(static_cast<double>(in[i]) * s)));
      if (!recompute) p.scales[i] = s;
    }
  }
  bool positive = true;
  for (int64_t i = 0; i < dim; ++i) positive = positive && in[i] > 0 && p.out[i] > 0;
  GF_CHECK(positive, "interpolate: Input and output sizes should be greater than 0, but got input ",
           list_str(in), " output ", list_str(p.out));
  return p;
}

}  // namespace

const char* interpolate_mode_name(InterpolateMode mode) {
  switch (mode) {
    case InterpolateMode::Nearest:
      return "nearest";
    case InterpolateMode::Linear:
      return "linear";
    case InterpolateMode::Bilinear:
      return "bilinear";
    case InterpolateMode::Bicubic:
      return "bicubic";
    case InterpolateMode::Trilinear:
      return "trilinear";
    case InterpolateMode::Area:
      return "area";
    case InterpolateMode::NearestExact:
      return "nearest-exact";
  }
  return "?";
}

Tensor interpolate(const Tensor& input, const InterpolateFuncOptions& o) {
  const InterpolateMode mode = o.mode();
  const bool nearest = mode == InterpolateMode::Nearest || mode == InterpolateMode::NearestExact;
  GF_CHECK(!(o.align_corners() && (nearest || mode == InterpolateMode::Area)),
           "interpolate: align_corners option can only be set with the interpolating modes: "
           "linear | bilinear | bicubic | trilinear");
  GF_CHECK(!o.antialias() || mode == InterpolateMode::Bilinear || mode == InterpolateMode::Bicubic,
           "interpolate: Anti-alias option is only supported for bilinear and bicubic modes");
  GF_CHECK(!o.antialias(), "interpolate: antialias=true is not implemented in gradflow");
  check_rank(input, mode);
  GF_CHECK(is_floating(input.dtype()), "interpolate: expected a floating input, got ",
           dtype_name(input.dtype()));
  const Plan p = plan(input, o);
  if (mode == InterpolateMode::Area) return adaptive_avg_pool2d(input, {p.out[0], p.out[1]});

  const bool two_d = input.dim() == 4;
  const int64_t H = two_d ? input.size(2) : 1, W = input.size(-1);
  const int64_t P = two_d ? p.out[0] : 1, Q = p.out.back();
  const Scale sh = p.scales.front(), sw = p.scales.back();  // (3D: the one row is a copy)
  auto geom = std::make_shared<InterpolateGeometry>();
  geom->planes = input.size(0) * input.size(1), geom->H = H, geom->W = W;
  geom->nearest = nearest;
  if (nearest) {
    const bool exact = mode == InterpolateMode::NearestExact;
    geom->rows = nearest_taps(H, P, sh, exact);
    geom->cols = nearest_taps(W, Q, sw, exact);
  } else {
    const bool ac = o.align_corners().value_or(false);
    if (input.dtype() == DType::Float32) {
      geom->rows = linear_taps<float>(H, P, ac, sh);
      geom->cols = linear_taps<float>(W, Q, ac, sw);
    } else {
      geom->rows = linear_taps<double>(H, P, ac, sh);
      geom->cols = linear_taps<double>(W, Q, ac, sw);
    }
  }
  Names names{};
  switch (mode) {
    case InterpolateMode::Nearest:
      names = two_d ? Names{"UpsampleNearest2DBackward0", "UpsampleNearest2DBackwardBackward0"}
                    : Names{"UpsampleNearest1DBackward0", "UpsampleNearest1DBackwardBackward0"};
      break;
    case InterpolateMode::NearestExact:
      names =
          two_d
              ? Names{"UpsampleNearestExact2DBackward0", "UpsampleNearestExact2DBackwardBackward0"}
              : Names{"UpsampleNearestExact1DBackward0", "UpsampleNearestExact1DBackwardBackward0"};
      break;
    case InterpolateMode::Linear:
      names = {"UpsampleLinear1DBackward0", "UpsampleLinear1DBackwardBackward0"};
      break;
    default:
      names = {"UpsampleBilinear2DBackward0", "UpsampleBilinear2DBackwardBackward0"};
  }
  Shape out_shape = input.sizes();
  out_shape[out_shape.size() - 1] = Q;
  if (two_d) out_shape[2] = P;
  return resample(input, out_shape, geom, names);
}

}  // namespace gf::nn::functional
