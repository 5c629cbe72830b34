// NF::pad — torch.nn.functional.pad with libtorch's option struct:
//
//   namespace NF = gf::nn::functional;
//   Tensor y = NF::pad(x, NF::PadFuncOptions({1, 2}));                   // last dim: 1 left, 2
//   right Tensor z = NF::pad(img, NF::PadFuncOptions({1, 1, 2, 2}).mode(NF::PadMode::Reflect));
//
// `pad` lists (before, after) pairs starting from the last dim: {l, r} pads the last dim,
// {l, r, t, b} the last two, and so on. Constant mode pads any number of dims with `value`
// (negative amounts crop); Reflect (mirror without repeating the edge, amounts < the size),
// Replicate (repeat the edge) and Circular (wrap around, amounts <= the size) pad the last 1, 2 or
// 3 dims of a batched or unbatched input (2-3 / 3-4 / 4-5 dims; Circular: batched only, 3 / 4 /
// 5 dims), as in PyTorch 1.13.
// grad_fn names are PyTorch's: ConstantPadNdBackward0, ReflectionPad2DBackward0,
// ReplicationPad1DBackward0, ..., and CopySlices for Circular (torch builds it in place).
#pragma once
#include <cstdint>
#include <vector>

#include "gradflow/tensor.hpp"

namespace gf::nn::functional {

enum class PadMode { Constant, Reflect, Replicate, Circular };

struct PadFuncOptions {
  PadFuncOptions(std::vector<int64_t> pad) : pad_(std::move(pad)) {}  // NOLINT: libtorch's form
  PadFuncOptions& pad(std::vector<int64_t> p) {
    pad_ = std::move(p);
    return *this;
  }
  PadFuncOptions& mode(PadMode m) {
    mode_ = m;
    return *this;
  }
  PadFuncOptions& value(double v) {
    value_ = v;
    return *this;
  }
  const std::vector<int64_t>& pad() const { return pad_; }
  PadMode mode() const { return mode_; }
  double value() const { return value_; }

 private:
  std::vector<int64_t> pad_;
  PadMode mode_ = PadMode::Constant;
  double value_ = 0;
};

Tensor pad(const Tensor& input, const PadFuncOptions& options);

}  // namespace gf::nn::functional
