// Convolution modules with libtorch's option classes, torch's initialisation and printing:
//
//   gf::nn::Conv2d conv(gf::nn::Conv2dOptions(3, 64, 11).stride(4).padding(2));
//   std::cout << conv;   // Conv2d(3, 64, kernel_size=(11, 11), stride=(4, 4), padding=(2, 2))
//   gf::nn::Conv2d c(1, 6, 5);   // in, out, kernel (libtorch's shorthand)
//
// Parameters "weight" [out, in/groups, k...] (ConvTranspose: [in, out/groups, k...]) and "bias"
// [out], initialised like torch's _ConvNd.reset_parameters: kaiming_uniform_(weight, a = √5),
// i.e. U(±1/√fan_in), and bias U(±1/√fan_in), drawn from the default generator, weight first.
// Only zero padding (padding_mode "zeros").
#pragma once
#include <cstdint>

#include "gradflow/nn/functional/conv.hpp"
#include "gradflow/nn/module.hpp"

namespace gf::nn {

template <std::size_t D>
struct ConvOptions {
  ConvOptions(int64_t in_channels, int64_t out_channels, ExpandingArray<D> kernel_size)
      : in_channels_(in_channels), out_channels_(out_channels), kernel_size_(kernel_size) {}
  GF_NN_ARG(int64_t, in_channels);
  GF_NN_ARG(int64_t, out_channels);
  GF_NN_ARG(ExpandingArray<D>, kernel_size);
  GF_NN_ARG(ExpandingArray<D>, stride) = 1;
  GF_NN_ARG(ConvPadding<D>, padding) = 0;
  GF_NN_ARG(ExpandingArray<D>, dilation) = 1;
  GF_NN_ARG(int64_t, groups) = 1;
  GF_NN_ARG(bool, bias) = true;
  GF_NN_ARG(DType, dtype) = default_dtype();
};
using Conv1dOptions = ConvOptions<1>;
using Conv2dOptions = ConvOptions<2>;

template <std::size_t D>
struct ConvTransposeOptions {
  ConvTransposeOptions(int64_t in_channels, int64_t out_channels, ExpandingArray<D> kernel_size)
      : in_channels_(in_channels), out_channels_(out_channels), kernel_size_(kernel_size) {}
  GF_NN_ARG(int64_t, in_channels);
  GF_NN_ARG(int64_t, out_channels);
  GF_NN_ARG(ExpandingArray<D>, kernel_size);
  GF_NN_ARG(ExpandingArray<D>, stride) = 1;
  GF_NN_ARG(ExpandingArray<D>, padding) = 0;
  GF_NN_ARG(ExpandingArray<D>, output_padding) = 0;
  GF_NN_ARG(int64_t, groups) = 1;
  GF_NN_ARG(bool, bias) = true;
  GF_NN_ARG(ExpandingArray<D>, dilation) = 1;
  GF_NN_ARG(DType, dtype) = default_dtype();
};
using ConvTranspose2dOptions = ConvTransposeOptions<2>;

template <std::size_t D>
class ConvNd : public Module {
 public:
  explicit ConvNd(const ConvOptions<D>& options);
  ConvNd(int64_t in_channels, int64_t out_channels, ExpandingArray<D> kernel_size)
      : ConvNd(ConvOptions<D>(in_channels, out_channels, kernel_size)) {}
  Tensor forward(const Tensor& input) override;
  void reset_parameters();
  // "3, 64, kernel_size=(11, 11), stride=(4, 4), padding=(2, 2)" (torch's _ConvNd.extra_repr)
  std::string extra_repr() const override;
  const ConvOptions<D>& options() const { return options_; }

  Tensor weight;  // [out, in/groups, k...]
  Tensor bias;    // [out]; undefined with bias(false)

 private:
  ConvOptions<D> options_;
};

class Conv1d : public ConvNd<1> {
 public:
  using ConvNd<1>::ConvNd;
};
class Conv2d : public ConvNd<2> {
 public:
  using ConvNd<2>::ConvNd;
};

class ConvTranspose2d : public Module {
 public:
  explicit ConvTranspose2d(const ConvTranspose2dOptions& options);
  ConvTranspose2d(int64_t in_channels, int64_t out_channels, ExpandingArray<2> kernel_size)
      : ConvTranspose2d(ConvTranspose2dOptions(in_channels, out_channels, kernel_size)) {}
  Tensor forward(const Tensor& input) override;
  void reset_parameters();
  std::string extra_repr() const override;
  const ConvTranspose2dOptions& options() const { return options_; }

  Tensor weight;  // [in, out/groups, kh, kw]
  Tensor bias;    // [out]

 private:
  ConvTranspose2dOptions options_;
};

}  // namespace gf::nn
