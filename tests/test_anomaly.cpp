// Anomaly mode: the backward pass names the first op whose gradient is NaN.
#include <gtest/gtest.h>

#include <cmath>

#include <gradflow/gradflow.hpp>

using namespace gf;

TEST(Anomaly, NamesTheOpThatProducedNaN) {
  Tensor x = zeros({2}, DType::Float64).requires_grad_();
  // d sqrt(x)/dx = 1 / (2 sqrt x) = inf at 0; times the upstream 0 it is NaN
  Tensor y = (sqrt(x) * 0.0).sum();
  set_detect_anomaly(true);
  try {
    y.backward();
    set_detect_anomaly(false);
    FAIL() << "expected gf::Error";
  } catch (const Error& e) {
    set_detect_anomaly(false);
    EXPECT_STREQ(e.what(), "Function 'SqrtBackward0' returned nan values in its 0th output.");
  }
}

TEST(Anomaly, OffByDefaultLetsNaNThrough) {
  EXPECT_FALSE(is_anomaly_enabled());
  Tensor x = zeros({1}, DType::Float64).requires_grad_();
  (sqrt(x) * 0.0).sum().backward();
  EXPECT_TRUE(std::isnan(x.grad().item()));
}
