// Convolutions: torch's values, gradients and grad_fn names for every option (float64 and
// float32), gradcheck and gradgradcheck (double backward is a graph of convolutions), and torch's
// error messages for bad shapes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <gradflow/gradflow.hpp>

#include "support/conv_pool_reference.hpp"
#include "support/errors.hpp"
#include "support/op_check.hpp"

namespace F = gf::nn::functional;
using namespace gf;
using namespace gf::test;
using ::testing::HasSubstr;

TEST(Conv, MatchesTorchForEveryOption) {
  EXPECT_EQ(check_conv_pool_reference({"conv2d"}), 26);
  EXPECT_EQ(check_conv_pool_reference({"conv1d"}), 8);
  EXPECT_EQ(check_conv_pool_reference({"conv_transpose2d"}), 8);
}

TEST(Conv, GradcheckAndGradgradcheck) {
  auto conv = [](F::Conv2dFuncOptions o) {
    return [o](const Inputs& x) {
      auto opts = o;
      if (x.size() > 2) opts.bias(x[2]);
      return F::conv2d(x[0], x[1], opts);
    };
  };
  std::vector<OpCase> cases = {
      {"conv2d bias", conv(F::Conv2dFuncOptions()), {{2, 2, 4, 4}, {3, 2, 2, 2}, {3}}},
      {"conv2d stride pad dilation",
       conv(F::Conv2dFuncOptions().stride({2, 1}).padding(1).dilation({1, 2})),
       {{1, 2, 5, 5}, {2, 2, 3, 2}}},
      {"conv2d same even kernel",
       conv(F::Conv2dFuncOptions().padding("same")),
       {{1, 1, 4, 4}, {2, 1, 2, 2}}},
      {"conv2d groups", conv(F::Conv2dFuncOptions().groups(2)), {{1, 4, 3, 3}, {2, 2, 2, 2}}},
      {"conv1d",
       [](const Inputs& x) {
         return F::conv1d(x[0], x[1], F::Conv1dFuncOptions().bias(x[2]).stride(2).padding(1));
       },
       {{2, 2, 5}, {3, 2, 3}, {3}}},
      {"conv_transpose2d",
       [](const Inputs& x) {
         return F::conv_transpose2d(
             x[0], x[1],
             F::ConvTranspose2dFuncOptions().bias(x[2]).stride(2).padding(1).output_padding(1));
       },
       {{1, 2, 3, 3}, {2, 2, 3, 3}, {2}}},
  };
  for (const OpCase& c : cases) EXPECT_TRUE(check_gradients(c));
}

TEST(Conv, DoubleBackwardNodesAreConvolutions) {
  Tensor x = randn({1, 2, 4, 4}, DType::Float64).requires_grad_();
  Tensor w = randn({3, 2, 3, 3}, DType::Float64).requires_grad_();
  Tensor y = F::conv2d(x, w, F::Conv2dFuncOptions().padding(1));
  EXPECT_EQ(y.grad_fn_name(), "ConvolutionBackward0");
  auto g = autograd::grad({sum(y * y)}, {x, w}, {}, true, true);
  // d(Σy²)/dx = conv_transpose(2y, w): a convolution node (through y's MulBackward0)
  EXPECT_EQ(g[0].grad_fn_name(), "ConvolutionBackwardBackward0");
  EXPECT_EQ(g[1].grad_fn_name(), "ConvolutionBackwardBackward0");
}

TEST(Conv, BadInputNamesOpAndSizes) {
  Tensor x = zeros({1, 4, 8, 8}), w = zeros({6, 3, 3, 3});
  EXPECT_THAT(error_of([&] { F::conv2d(x, w); }),
              HasSubstr("conv2d: Given groups=1, weight of size [6, 3, 3, 3], expected "
                        "input[1, 4, 8, 8] to have 3 channels, but got 4 channels instead"));
  EXPECT_THAT(error_of([&] {
                F::conv2d(zeros({1, 3, 4, 4}), zeros({2, 3, 5, 5}));
              }),
              HasSubstr("conv2d: Calculated padded input size per channel: (4 x 4). Kernel size: "
                        "(5 x 5). Kernel size can't be greater than actual input size"));
  EXPECT_THAT(
      error_of([&] {
        F::conv2d(zeros({1, 4, 4, 4}), zeros({3, 2, 1, 1}), F::Conv2dFuncOptions().groups(2));
      }),
      HasSubstr("conv2d: Given groups=2, expected weight to be divisible by 2 at dimension "
                "0, but got weight of size [3, 2, 1, 1] instead"));
  EXPECT_THAT(
      error_of([&] {
        F::conv2d(zeros({1, 3, 4, 4}), zeros({2, 3, 1, 1}), F::Conv2dFuncOptions().padding(-1));
      }),
      HasSubstr("conv2d: negative padding is not supported"));
  EXPECT_THAT(
      error_of([&] {
        F::conv2d(zeros({1, 3, 4, 4}), zeros({2, 3, 1, 1}), F::Conv2dFuncOptions().stride(0));
      }),
      HasSubstr("conv2d: non-positive stride is not supported"));
  EXPECT_THAT(error_of([&] {
                F::conv2d(zeros({3, 4}), w);
              }),
              HasSubstr("Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of "
                        "size: [3, 4]"));
  EXPECT_THAT(error_of([&] {
                F::conv2d(zeros({1, 3, 4, 4}), zeros({2, 3, 1, 1}),
                          F::Conv2dFuncOptions().bias(zeros({3})));
              }),
              HasSubstr("conv2d: Given weight of size [2, 3, 1, 1], expected bias to be "
                        "1-dimensional with 2 elements, but got bias of size [3] instead"));
  EXPECT_THAT(error_of([&] {
                F::conv2d(zeros({1, 3, 4, 4}), zeros({2, 3, 3, 3}),
                          F::Conv2dFuncOptions().padding("same").stride(2));
              }),
              HasSubstr("conv2d: padding='same' is not supported for strided convolutions"));
  EXPECT_THAT(error_of([&] {
                F::conv2d(zeros({1, 3, 4, 4}), zeros({2, 3, 1, 1}, DType::Float64));
              }),
              HasSubstr("conv2d: expected input and weight to have the same dtype"));
  EXPECT_THAT(error_of([&] {
                F::conv1d(zeros({1, 2, 4}), zeros({2, 3, 1}));
              }),
              HasSubstr("conv1d: Given groups=1, weight of size [2, 3, 1], expected input[1, 2, 4] "
                        "to have 3 channels, but got 2 channels instead"));
  EXPECT_THAT(
      error_of([&] {
        F::conv_transpose2d(zeros({1, 5, 4, 4}), zeros({3, 2, 3, 3}));
      }),
      HasSubstr("conv_transpose2d: Given transposed=1, weight of size [3, 2, 3, 3], "
                "expected input[1, 5, 4, 4] to have 3 channels, but got 5 channels instead"));
  EXPECT_THAT(error_of([&] {
                F::conv_transpose2d(zeros({1, 3, 4, 4}), zeros({3, 2, 3, 3}),
                                    F::ConvTranspose2dFuncOptions().output_padding(1));
              }),
              HasSubstr("conv_transpose2d: output padding must be smaller than either stride or "
                        "dilation"));
  EXPECT_THAT(error_of([&] {
                F::Conv2dFuncOptions().stride({1, 2, 3});
              }),
              HasSubstr("expected 2 values, but instead got 3"));
  EXPECT_THAT(error_of([&] { F::Conv2dFuncOptions().padding("full"); }),
              HasSubstr("Invalid padding string 'full', should be one of {'valid', 'same'}"));
}

TEST(Conv, EmptyBatchGivesEmptyOutput) {
  Tensor y = F::conv2d(zeros({0, 3, 5, 5}), zeros({2, 3, 3, 3}));
  EXPECT_EQ(y.sizes(), (Shape{0, 2, 3, 3}));
}

// Layers on the oneDNN path (float32, >= 4 input and >= 16 output channels, >= 2^20
// multiply-adds: the CLI CNN's 32 -> 64 convolution and LeNet-5's 6 -> 16 one) agree with the
// float64 im2col path, forward and both gradients.
TEST(Conv, OneDnnPathMatchesFloat64) {
  struct Layer {
    Shape x, w;
    int64_t padding;
  };
  for (const Layer& l :
       {Layer{{2, 32, 14, 14}, {64, 32, 3, 3}, 1}, Layer{{8, 6, 14, 14}, {16, 6, 5, 5}, 0}}) {
    manual_seed(3);
    Tensor x64 = randn(l.x, DType::Float64), w64 = randn(l.w, DType::Float64);
    Tensor b64 = randn({l.w[0]}, DType::Float64);
    auto run = [&l](DType dt, const Tensor& x0, const Tensor& w0, const Tensor& b0) {
      Tensor x = x0.to(dt).requires_grad_(), w = w0.to(dt).requires_grad_(), b = b0.to(dt);
      Tensor y = F::conv2d(x, w, F::Conv2dFuncOptions().bias(b).padding(l.padding));
      Tensor g = (y * y).sum();
      g.backward();
      return std::vector<Tensor>{y.detach().to(DType::Float64), x.grad().to(DType::Float64),
                                 w.grad().to(DType::Float64)};
    };
    auto f32 = run(DType::Float32, x64, w64, b64), f64 = run(DType::Float64, x64, w64, b64);
    for (std::size_t i = 0; i < 3; ++i)
      EXPECT_TRUE(check_values(f32[i], f64[i].tolist(), f64[i].sizes(), 1e-4, 1e-3))
          << l.w << " output " << i;
  }
}
