// Convolutions, as torch.nn.functional / libtorch's F:: with their option structs:
//
//   namespace F = gf::nn::functional;
//   Tensor y = F::conv2d(x, w, F::Conv2dFuncOptions().bias(b).stride(4).padding(2));
//   Tensor z = F::conv2d(x, w, F::Conv2dFuncOptions().padding("same").dilation({1, 2}));
//   Tensor u = F::conv_transpose2d(y, w, F::ConvTranspose2dFuncOptions().stride(2)
//                                            .output_padding(1));
//
// Shapes: input [N, C, H, W] (or unbatched [C, H, W]), weight [K, C/groups, R, S], bias [K];
// output [N, K, P, Q] with P = ⌊(H + 2·pad − dilation·(R − 1) − 1) / stride⌋ + 1.
// conv_transpose2d: weight [C, K/groups, R, S] and
// P = (H − 1)·stride − 2·pad + dilation·(R − 1) + output_padding + 1. conv1d is the same on
// [N, C, L]. grad_fn is ConvolutionBackward0 (torch's name); the backward is itself made of
// convolutions (grad_input = conv_transpose of grad, grad_weight = a convolution of input and
// grad), so double backward works. Bad shapes throw gf::Error worded like torch's.
#pragma once
#include <concepts>
#include <string>

#include "gradflow/nn/expanding_array.hpp"
#include "gradflow/tensor.hpp"

namespace gf::nn {

// libtorch's padding_t: explicit sizes, or "valid" (no padding) / "same" (output size = input
// size, stride 1 only; an even kernel pads one more on the bottom/right, as torch does).
enum class PaddingKind { Explicit, Valid, Same };

template <std::size_t D>
class ConvPadding {
 public:
  template <std::integral I>
  ConvPadding(I v) : values_(static_cast<int64_t>(v)) {}  // NOLINT: implicit like libtorch
  ConvPadding(std::initializer_list<int64_t> v) : values_(v) {}
  ConvPadding(const ExpandingArray<D>& v) : values_(v) {}
  ConvPadding(PaddingKind k) : values_(0), kind_(k) {}
  ConvPadding(const char* s) : ConvPadding(std::string(s)) {}
  ConvPadding(const std::string& s) : values_(0) {
    GF_CHECK(s == "same" || s == "valid", "Invalid padding string '", s,
             "', should be one of {'valid', 'same'}");
    kind_ = s == "same" ? PaddingKind::Same : PaddingKind::Valid;
  }
  PaddingKind kind() const { return kind_; }
  const ExpandingArray<D>& values() const { return values_; }  // Explicit only

 private:
  ExpandingArray<D> values_;
  PaddingKind kind_ = PaddingKind::Explicit;
};

namespace functional {

template <std::size_t D>
struct ConvFuncOptions {
  GF_NN_ARG(Tensor, bias);
  GF_NN_ARG(ExpandingArray<D>, stride) = 1;
  GF_NN_ARG(ConvPadding<D>, padding) = 0;
  GF_NN_ARG(ExpandingArray<D>, dilation) = 1;
  GF_NN_ARG(int64_t, groups) = 1;
};
using Conv1dFuncOptions = ConvFuncOptions<1>;
using Conv2dFuncOptions = ConvFuncOptions<2>;

template <std::size_t D>
struct ConvTransposeFuncOptions {
  GF_NN_ARG(Tensor, bias);
  GF_NN_ARG(ExpandingArray<D>, stride) = 1;
  GF_NN_ARG(ExpandingArray<D>, padding) = 0;
  GF_NN_ARG(ExpandingArray<D>, output_padding) = 0;
  GF_NN_ARG(int64_t, groups) = 1;
  GF_NN_ARG(ExpandingArray<D>, dilation) = 1;
};
using ConvTranspose1dFuncOptions = ConvTransposeFuncOptions<1>;
using ConvTranspose2dFuncOptions = ConvTransposeFuncOptions<2>;

Tensor conv1d(const Tensor& input, const Tensor& weight, const Conv1dFuncOptions& options = {});
Tensor conv2d(const Tensor& input, const Tensor& weight, const Conv2dFuncOptions& options = {});
Tensor conv_transpose1d(const Tensor& input, const Tensor& weight,
                        const ConvTranspose1dFuncOptions& options = {});
Tensor conv_transpose2d(const Tensor& input, const Tensor& weight,
                        const ConvTranspose2dFuncOptions& options = {});

}  // namespace functional
}  // namespace gf::nn
