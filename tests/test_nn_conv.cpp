// Convolution and pooling modules: torch's printing, parameter names and shapes, and torch's
// initialisation bounds (kaiming_uniform with a = √5: U(±1/√fan_in) for weight and bias).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <gradflow/gradflow.hpp>

#include "support/errors.hpp"

using namespace gf;
using gf::test::error_of;
using ::testing::HasSubstr;

TEST(NnConv, PrintsLikeTorch) {
  EXPECT_EQ(nn::Conv2d(nn::Conv2dOptions(3, 64, 11).stride(4).padding(2)).repr(),
            "Conv2d(3, 64, kernel_size=(11, 11), stride=(4, 4), padding=(2, 2))");
  EXPECT_EQ(nn::Conv2d(nn::Conv2dOptions(4, 8, {3, 1}).dilation(2).groups(4).bias(false)).repr(),
            "Conv2d(4, 8, kernel_size=(3, 1), stride=(1, 1), dilation=(2, 2), groups=4, "
            "bias=False)");
  EXPECT_EQ(nn::Conv2d(nn::Conv2dOptions(1, 2, 3).padding("same")).repr(),
            "Conv2d(1, 2, kernel_size=(3, 3), stride=(1, 1), padding=same)");
  EXPECT_EQ(nn::Conv1d(2, 3, 5).repr(), "Conv1d(2, 3, kernel_size=(5,), stride=(1,))");
  EXPECT_EQ(
      nn::ConvTranspose2d(nn::ConvTranspose2dOptions(4, 2, 3).stride(2).output_padding(1)).repr(),
      "ConvTranspose2d(4, 2, kernel_size=(3, 3), stride=(2, 2), output_padding=(1, 1))");
  EXPECT_EQ(nn::MaxPool2d(nn::MaxPool2dOptions(3).stride(2)).repr(),
            "MaxPool2d(kernel_size=3, stride=2, padding=0, dilation=1, ceil_mode=False)");
  EXPECT_EQ(nn::MaxPool2d(nn::MaxPool2dOptions({2, 3}).ceil_mode(true)).repr(),
            "MaxPool2d(kernel_size=(2, 3), stride=(2, 3), padding=0, dilation=1, ceil_mode=True)");
  EXPECT_EQ(nn::AvgPool2d(2).repr(), "AvgPool2d(kernel_size=2, stride=2, padding=0)");
  EXPECT_EQ(nn::AdaptiveAvgPool2d(nn::AdaptiveAvgPool2dOptions({6, 6})).repr(),
            "AdaptiveAvgPool2d(output_size=(6, 6))");
  EXPECT_EQ(nn::AdaptiveMaxPool2d(3).repr(), "AdaptiveMaxPool2d(output_size=3)");
}

TEST(NnConv, ParametersAndInitialisation) {
  manual_seed(0);
  nn::Conv2d conv(nn::Conv2dOptions(6, 16, 5).groups(2));
  auto params = conv.named_parameters();
  ASSERT_EQ(params.size(), 2u);
  EXPECT_EQ(params[0].first, "weight");
  EXPECT_EQ(params[0].second.sizes(), (Shape{16, 3, 5, 5}));
  EXPECT_EQ(params[1].first, "bias");
  const double bound = 1 / std::sqrt(3.0 * 25);  // fan_in = in/groups · k²
  for (const auto& [name, p] : params) {
    double lo = 1, hi = -1;
    for (double v : p.tolist()) lo = std::min(lo, v), hi = std::max(hi, v);
    EXPECT_GE(lo, -bound) << name;
    EXPECT_LE(hi, bound) << name;
    EXPECT_GT(hi - lo, bound) << name;  // spread over the interval, not a constant
  }
  nn::ConvTranspose2d up(4, 2, 3);  // weight [in, out/groups, k, k]; fan_in = out · k²
  EXPECT_EQ(up.weight.sizes(), (Shape{4, 2, 3, 3}));
  for (double v : up.bias.tolist()) EXPECT_LE(std::fabs(v), 1 / std::sqrt(18.0));
}

TEST(NnConv, ForwardShapes) {
  nn::Conv2d conv(nn::Conv2dOptions(3, 4, 3).padding(1));
  EXPECT_EQ(conv(zeros({2, 3, 8, 8})).sizes(), (Shape{2, 4, 8, 8}));
  nn::ConvTranspose2d up(
      nn::ConvTranspose2dOptions(4, 3, 3).stride(2).padding(1).output_padding(1));
  EXPECT_EQ(up(zeros({2, 4, 8, 8})).sizes(), (Shape{2, 3, 16, 16}));
  nn::MaxPool2d pool(2);
  auto [y, i] = pool.forward_with_indices(zeros({1, 2, 5, 5}));
  EXPECT_EQ(y.sizes(), (Shape{1, 2, 2, 2}));
  EXPECT_EQ(i.dtype(), DType::Int64);
  EXPECT_EQ(
      nn::AdaptiveAvgPool2d(nn::AdaptiveAvgPool2dOptions({6, 6}))(zeros({1, 2, 3, 3})).sizes(),
      (Shape{1, 2, 6, 6}));
}

TEST(NnConv, BadOptions) {
  EXPECT_THAT(
      error_of([] { nn::Conv2d(nn::Conv2dOptions(3, 4, 3).groups(2)); }),
      HasSubstr("Conv2d: in_channels must be divisible by groups (in_channels=3, groups=2)"));
  EXPECT_THAT(error_of([] {
                nn::Conv2d(nn::Conv2dOptions(3, 4, {3, 3, 3}));
              }),
              HasSubstr("expected 2 values, but instead got 3"));
}
