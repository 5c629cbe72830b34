// median: values, indices and gradients from first principles (the lower middle value; ties in
// stable order; the gradient of the all-elements median split evenly among equal elements), NaN
// and empty inputs as torch 1.13 gives them, and errors. Agreement with torch on random inputs,
// gradcheck and gradgradcheck are the op-table rows median, median_dim, median_dim_keepdim.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

#include "support/errors.hpp"
#include "support/op_check.hpp"

using namespace gf;
using namespace gf::test;
using ::testing::HasSubstr;

TEST(OpsMedian, LowerMiddleValueAndEvenlySplitGradient) {
  // sorted [1, 2, 2, 3]: position (4 - 1) / 2 = 1 -> 2; two elements equal it: 1/2 each
  Tensor x = tensor({2, 1, 3, 2}, DType::Float64).requires_grad_();
  Tensor m = median(x);
  EXPECT_EQ(m.item(), 2);
  EXPECT_EQ(m.grad_fn_name(), "MedianBackward0");
  m.backward();
  EXPECT_TRUE(check_values(x.grad(), {0.5, 0, 0, 0.5}));
  EXPECT_EQ(median(tensor({3, 1, 2}, DType::Int64)).dtype(), DType::Int64);
  EXPECT_EQ(median(tensor({3, 1, 2}, DType::Int64)).item(), 2);
}

TEST(OpsMedian, AlongADimTiesInStableOrderAndNaN) {
  // row 0 sorted: 1 (1), 2 (2), 2 (3), 3 (0) -> position 1: value 2 at index 2 (torch: [2, 0])
  // row 1 has a NaN: NaN at its first NaN's index 0
  Tensor x = tensor({3, 1, 2, 2, NAN, 1, 0, 5}, {2, 4}, DType::Float64).requires_grad_();
  auto [v, i] = median(x, 1);
  EXPECT_TRUE(check_values(v, {2, NAN}, Shape{2}));
  EXPECT_TRUE(check_values(i, {2, 0}, Shape{2}));
  EXPECT_EQ(v.grad_fn_name(), "MedianBackward1");
  EXPECT_FALSE(i.requires_grad());
  sum(v * tensor({3, 5}, DType::Float64)).backward();
  EXPECT_TRUE(check_values(x.grad(), {0, 0, 3, 0, 5, 0, 0, 0}));
  auto [vk, ik] = median(tensor({1, 5, 5, 2}, {1, 4}, DType::Float64), -1, true);
  EXPECT_TRUE(check_values(vk, {2}, Shape{1, 1}));
  EXPECT_TRUE(check_values(ik, {3}, Shape{1, 1}));
  EXPECT_TRUE(std::isnan(median(tensor({1, NAN, 2}, DType::Float64)).item()));
}

TEST(OpsMedian, ZeroDimEmptyAndErrors) {
  auto [v, i] = median(scalar_tensor(2.5, DType::Float64), 0);
  EXPECT_EQ(v.dim(), 0);
  EXPECT_EQ(v.item(), 2.5);
  EXPECT_EQ(i.item(), 0);
  EXPECT_TRUE(std::isnan(median(zeros({0}, DType::Float32)).item()));  // torch: tensor(nan)
  EXPECT_THAT(error_of([] {
                median(zeros({2, 0}, DType::Float64), 1);
              }),
              HasSubstr("median: Expected reduction dim 1 to have non-zero size"));
  EXPECT_THAT(error_of([] { median(zeros({2}, DType::Float64), 2); }), HasSubstr("median"));
}
