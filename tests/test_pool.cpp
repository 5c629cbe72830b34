// Pooling: torch's values, indices, gradients and grad_fn names for every option (float64 and
// float32), gradcheck and gradgradcheck, NaN and ties like torch, and torch's error messages.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <gradflow/gradflow.hpp>

#include "support/conv_pool_reference.hpp"
#include "support/errors.hpp"
#include "support/op_check.hpp"

namespace F = gf::nn::functional;
using namespace gf;
using namespace gf::test;
using ::testing::HasSubstr;

TEST(Pool, MatchesTorchForEveryOption) {
  EXPECT_EQ(check_conv_pool_reference({"max_pool2d_with_indices"}), 16);
  EXPECT_EQ(check_conv_pool_reference({"avg_pool2d"}), 14);
  EXPECT_EQ(check_conv_pool_reference({"adaptive_avg_pool2d"}), 10);
  EXPECT_EQ(check_conv_pool_reference({"adaptive_max_pool2d_with_indices"}), 10);
}

TEST(Pool, GradcheckAndGradgradcheck) {
  std::vector<OpCase> cases = {
      {"max_pool2d",
       [](const Inputs& x) {
         return F::max_pool2d(x[0],
                              F::MaxPool2dFuncOptions(3).stride(2).padding(1).ceil_mode(true));
       },
       {{1, 2, 5, 5}}},
      {"max_pool2d dilation",
       [](const Inputs& x) { return F::max_pool2d(x[0], F::MaxPool2dFuncOptions(2).dilation(2)); },
       {{1, 1, 6, 6}}},
      {"avg_pool2d",
       [](const Inputs& x) {
         return F::avg_pool2d(
             x[0], F::AvgPool2dFuncOptions(3).stride(2).padding(1).count_include_pad(false));
       },
       {{1, 2, 5, 5}}},
      {"adaptive_avg_pool2d",
       [](const Inputs& x) {
         return F::adaptive_avg_pool2d(x[0], {3, 2});
       },
       {{2, 1, 5, 5}}},
      {"adaptive_max_pool2d",
       [](const Inputs& x) { return F::adaptive_max_pool2d(x[0], 2); },
       {{1, 2, 5, 4}}},
  };
  for (const OpCase& c : cases) EXPECT_TRUE(check_gradients(c));
}

TEST(Pool, NanWinsAndTiesKeepTheFirst) {
  double nan = std::nan("");
  Tensor x = tensor({1, nan, 3, 4, 2, 2, 2, 2}, {1, 2, 2, 2});
  auto [y, i] = F::max_pool2d_with_indices(x, 2);
  EXPECT_TRUE(std::isnan(y.tolist()[0]));
  EXPECT_EQ(i.tolist(), (std::vector<double>{1, 0}));
  EXPECT_EQ(y.tolist()[1], 2);
}

// The 2x2 stride-2 fast path (vectorised, mask-selected) against the rule written out: per
// window in row order, a value wins when greater than the best so far or NaN, and a NaN stays.
// Rows of 18 outputs run the vector body and its remainder; NaNs and ties land in every slot.
TEST(Pool, TwoByTwoFastPathKeepsTheRuleInEveryLane) {
  for (DType dt : {DType::Float32, DType::Float64}) {
    const int64_t H = 6, W = 36;
    std::vector<double> v(2 * H * W);
    for (size_t k = 0; k < v.size(); ++k) v[k] = static_cast<double>((k * 7919) % 13) - 6;
    for (size_t k = 5; k < v.size(); k += 23) v[k] = std::nan("");
    Tensor x = tensor(v, {1, 2, H, W}, dt);
    auto [y, ind] = F::max_pool2d_with_indices(x, 2);
    const auto got = y.tolist(), got_ind = ind.tolist();
    size_t o = 0;
    for (int64_t c = 0; c < 2; ++c)
      for (int64_t p = 0; p < H / 2; ++p)
        for (int64_t q = 0; q < W / 2; ++q, ++o) {
          int64_t bi = 2 * p * W + 2 * q;
          for (int64_t i :
               {2 * p * W + 2 * q + 1, (2 * p + 1) * W + 2 * q, (2 * p + 1) * W + 2 * q + 1}) {
            const double best = v[c * H * W + bi], cand = v[c * H * W + i];
            if (!std::isnan(best) && (cand > best || std::isnan(cand))) bi = i;
          }
          ASSERT_EQ(got_ind[o], bi) << dtype_name(dt) << " output " << o;
          const double want = v[c * H * W + bi];
          if (std::isnan(want))
            EXPECT_TRUE(std::isnan(got[o]));
          else
            EXPECT_EQ(got[o], want);
        }
  }
}

TEST(Pool, BackwardOfMaxPoolIsDifferentiable) {
  Tensor x = tensor({1, 5, 3, 4}, {1, 1, 2, 2}, DType::Float64).requires_grad_();
  Tensor y = F::max_pool2d(x, 2);
  EXPECT_EQ(y.grad_fn_name(), "MaxPool2DWithIndicesBackward0");
  auto g = autograd::grad({sum(y * y)}, {x}, {}, true, true);  // 2·y routed to the argmax
  EXPECT_EQ(g[0].tolist(), (std::vector<double>{0, 10, 0, 0}));
  EXPECT_EQ(g[0].grad_fn_name(), "MaxPool2DWithIndicesBackwardBackward0");
}

TEST(Pool, BadInputNamesOpAndSizes) {
  EXPECT_THAT(error_of([&] {
                F::max_pool2d(zeros({1, 3, 2, 2}), 3);
              }),
              HasSubstr("max_pool2d: Given input size: (3x2x2). Calculated output size: (3x0x0). "
                        "Output size is too small"));
  EXPECT_THAT(error_of([&] {
                F::max_pool2d(zeros({1, 3, 8, 8}), F::MaxPool2dFuncOptions(2).padding(2));
              }),
              HasSubstr("max_pool2d: pad should be smaller than or equal to half of kernel size, "
                        "but got padW = 2, padH = 2, kW = 2, kH = 2"));
  EXPECT_THAT(error_of([&] {
                F::avg_pool2d(zeros({1, 3, 8, 8}), F::AvgPool2dFuncOptions(2).padding(-1));
              }),
              HasSubstr("avg_pool2d: negative padding is not supported"));
  EXPECT_THAT(error_of([&] {
                F::max_pool2d(zeros({1, 3, 8, 8}), F::MaxPool2dFuncOptions(2).stride(0));
              }),
              HasSubstr("max_pool2d: stride should be greater than zero, but got dH: 0 dW: 0"));
  EXPECT_THAT(error_of([&] {
                F::max_pool2d(zeros({8, 8}), 2);
              }),
              HasSubstr("max_pool2d: Expected 3D or 4D (batch mode) tensor with optional 0 dim "
                        "batch size for input, but got: [8, 8]"));
  EXPECT_THAT(error_of([&] {
                F::MaxPool2dFuncOptions({2, 2, 2});
              }),
              HasSubstr("expected 2 values, but instead got 3"));
}
