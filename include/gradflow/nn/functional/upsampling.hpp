// Interpolation (upsampling / resizing), as torch.nn.functional.interpolate / libtorch's
// F::interpolate with its option struct:
//
//   namespace F = gf::nn::functional;
//   Tensor y = F::interpolate(x, F::InterpolateFuncOptions().scale_factor(std::vector<double>{2}));
//   Tensor z = F::interpolate(x, F::InterpolateFuncOptions()
//                                    .size(std::vector<int64_t>{h, w})
//                                    .mode(F::InterpolateMode::Bilinear)
//                                    .align_corners(true));
//
// Exactly one of size and scale_factor (one value for every spatial dim, or one per dim); with a
// scale factor the output size is ⌊in · scale⌋ and the sampling uses 1 / scale (torch's, unless
// recompute_scale_factor(true), which samples by in / out). Modes and inputs:
//   Nearest       [N, C, L] or [N, C, H, W]: src = min(⌊dst · scale⌋, in − 1), scale in float
//   NearestExact  likewise with src = min(⌊(dst + ½) · scale⌋, in − 1)
//   Linear        [N, C, L];  Bilinear [N, C, H, W]: two taps per dim,
//                 src = align_corners ? dst · (in − 1)/(out − 1) : max(0, (dst + ½) · scale − ½)
//   Area          adaptive_avg_pool2d to the output size ([N, C, H, W])
// (Bicubic, Trilinear and 5-d inputs are not implemented and throw gf::Error.) align_corners may
// only be set for Linear and Bilinear (default false). grad_fn names are libtorch's, whose
// F::interpolate calls the non-vector overloads: UpsampleNearest2DBackward0,
// UpsampleBilinear2DBackward0, UpsampleNearest1DBackward0, UpsampleLinear1DBackward0,
// UpsampleNearestExact2DBackward0 (Python's F.interpolate records the ...Backward1 twins). The
// backward (the adjoint spread) is itself differentiable: its derivative is the forward again.
#pragma once
#include <cstdint>
#include <optional>
#include <vector>

#include "gradflow/nn/expanding_array.hpp"
#include "gradflow/tensor.hpp"

namespace gf::nn::functional {

// libtorch's torch::kNearest, kLinear, ... as a scoped enum.
enum class InterpolateMode { Nearest, Linear, Bilinear, Bicubic, Trilinear, Area, NearestExact };

// torch's spelling of a mode: "nearest", "bilinear", "nearest-exact", ...
const char* interpolate_mode_name(InterpolateMode mode);

struct InterpolateFuncOptions {
  GF_NN_ARG(std::optional<std::vector<int64_t>>, size);
  GF_NN_ARG(std::optional<std::vector<double>>, scale_factor);
  GF_NN_ARG(InterpolateMode, mode) = InterpolateMode::Nearest;
  GF_NN_ARG(std::optional<bool>, align_corners);
  GF_NN_ARG(std::optional<bool>, recompute_scale_factor);
  GF_NN_ARG(bool, antialias) = false;
};

Tensor interpolate(const Tensor& input, const InterpolateFuncOptions& options = {});

}  // namespace gf::nn::functional
