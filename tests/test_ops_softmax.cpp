// softmax, log_softmax, logsumexp: seed 002's numbers, stability at ±1000, gradients (first and
// second order) against finite differences, and PyTorch's values over every dim of 3-D inputs.
#include <gtest/gtest.h>

#include <cmath>
#include <gradflow/gradflow.hpp>

#include "support/nn_functional_reference.hpp"
#include "support/op_check.hpp"

using namespace gf;
using namespace gf::test;

TEST(Softmax, Seed002ValuesAndJacobian) {  // WORKED_EXAMPLES row 2
  Tensor x = tensor({-1.3, 0.5, 2.1}, DType::Float64);
  EXPECT_TRUE(check_values(softmax(x, 0), {0.02701699, 0.16344326, 0.80953975}, {3}, 0, 5e-9));
  Tensor j = autograd::jacobian([](const Tensor& v) { return softmax(v, 0); }, x);
  EXPECT_TRUE(check_values(j,
                           {0.02628707, -0.00441574, -0.02187133, -0.00441574, 0.13672956,
                            -0.13231381, -0.02187133, -0.13231381, 0.15418514},
                           {3, 3}, 0, 5e-9));
}

TEST(Softmax, GradientOfSumIsZero) {  // WORKED_EXAMPLES row 6
  Tensor x = tensor({-1.3, 0.5, 2.1}, {1, 3}, DType::Float64).requires_grad_();
  Tensor l = softmax(x, 1);
  EXPECT_EQ(l.grad_fn_name(), "SoftmaxBackward0");
  Tensor k = sum(l * 2.0);
  k.backward();
  EXPECT_TRUE(check_values(x.grad(), {0, 0, 0}, {1, 3}, 0, 1e-15));
}

TEST(Softmax, StableAtPlusMinus1000) {
  for (DType dt : {DType::Float32, DType::Float64}) {
    Tensor x = tensor({1000, -1000, 0, 1000, 1000, -1000}, {2, 3}, dt);
    EXPECT_TRUE(check_values(softmax(x, 1), {1, 0, 0, 0.5, 0.5, 0}, {2, 3}, 1e-7, 0));
    EXPECT_TRUE(check_values(
        log_softmax(x, 1), {0, -2000, -1000, -std::log(2.0), -std::log(2.0), -2000 - std::log(2.0)},
        {2, 3}, 1e-6, 0));
    EXPECT_TRUE(check_values(logsumexp(x, 1), {1000, 1000 + std::log(2.0)}, {2}, 1e-7, 0));
    // over dim 0 (the strided kernel)
    EXPECT_TRUE(check_values(softmax(x, 0), {0.5, 0, 1, 0.5, 1, 0}, {2, 3}, 1e-7, 0));
  }
  Tensor ninf = full({3}, -INFINITY, DType::Float64);
  EXPECT_EQ(logsumexp(ninf, 0).item(), -INFINITY);  // like PyTorch: no nan
}

TEST(Softmax, RowsSumToOneOnTheTrainingShape) {
  manual_seed(1);
  Tensor z = randn({128, 10}) * 5.0;  // float32, the MLP's logits
  Tensor s = softmax(z, 1);
  EXPECT_EQ(s.dtype(), DType::Float32);
  EXPECT_TRUE(check_values(sum(s, 1), std::vector<double>(128, 1.0), {128}, 1e-6, 0));
  // float32 agrees with float64
  EXPECT_TRUE(check_values(s, softmax(z.to(DType::Float64), 1).tolist(), {128, 10}, 1e-5, 1e-7));
  // a non-contiguous view gives the same numbers as its contiguous copy
  Tensor zt = t(z.to(DType::Float64));
  EXPECT_TRUE(check_values(softmax(zt, 0), t(softmax(z.to(DType::Float64), 1)).tolist()));
}

TEST(Softmax, LogSoftmaxIsLogOfSoftmaxAndLogsumexpShapes) {
  manual_seed(2);
  Tensor x = randn({3, 4, 5}, DType::Float64);
  for (int64_t d = 0; d < 3; ++d)
    EXPECT_TRUE(check_values(log_softmax(x, d), log(softmax(x, d)).tolist(), x.sizes(), 1e-12));
  EXPECT_EQ(logsumexp(x, 1).sizes(), Shape({3, 5}));
  EXPECT_EQ(logsumexp(x, -1, true).sizes(), Shape({3, 4, 1}));
  Tensor s = scalar_tensor(3.0, DType::Float64);
  EXPECT_EQ(softmax(s, 0).item(), 1.0);  // 0-d works like PyTorch
  EXPECT_EQ(logsumexp(s, 0).item(), 3.0);
}

TEST(Softmax, Int64PromotesToDefaultDtype) {
  Tensor x = arange(3.0);  // Int64
  Tensor s = softmax(x, 0);
  EXPECT_EQ(s.dtype(), default_dtype());
  double z = 1 + std::exp(1.0) + std::exp(2.0);
  EXPECT_TRUE(check_values(s, {1 / z, std::exp(1.0) / z, std::exp(2.0) / z}, {3}, 1e-6));
  EXPECT_EQ(log_softmax(x, 0).dtype(), default_dtype());
}

TEST(Softmax, GradFnNames) {
  Tensor x = randn({2, 3}, DType::Float64).requires_grad_();
  EXPECT_EQ(softmax(x, 1).grad_fn_name(), "SoftmaxBackward0");
  EXPECT_EQ(log_softmax(x, 1).grad_fn_name(), "LogSoftmaxBackward0");
  EXPECT_EQ(logsumexp(x, 1).grad_fn_name(), "LogsumexpBackward0");
  EXPECT_EQ(x.softmax(0).grad_fn_name(), "SoftmaxBackward0");
}

TEST(Softmax, GradcheckAndGradgradcheck) {
  std::vector<OpCase> cases;
  for (int64_t d : {0, 1, 2, -1}) {
    std::string s = std::to_string(d);
    cases.push_back(
        {"softmax dim " + s, [d](const Inputs& x) { return softmax(x[0], d); }, {{2, 3, 4}}});
    cases.push_back({"log_softmax dim " + s,
                     [d](const Inputs& x) { return log_softmax(x[0], d); },
                     {{2, 3, 4}}});
    cases.push_back(
        {"logsumexp dim " + s, [d](const Inputs& x) { return logsumexp(x[0], d); }, {{2, 3, 4}}});
  }
  cases.push_back(
      {"logsumexp keepdim", [](const Inputs& x) { return logsumexp(x[0], 1, true); }, {{3, 4}}});
  cases.push_back({"softmax of a transposed view",
                   [](const Inputs& x) { return softmax(t(x[0]), 1); },
                   {{4, 3}}});
  cases.push_back({"softmax 1-D", [](const Inputs& x) { return softmax(x[0], 0); }, {{5}}});
  cases.push_back({"softmax large logits",
                   [](const Inputs& x) { return softmax(x[0] * 50.0, 1); },
                   {{2, 3}},
                   uniform(-0.2, 0.2)});
  for (const OpCase& c : cases) EXPECT_TRUE(check_gradients(c));
}

TEST(Softmax, HessianOfSumOfSquaresIsSymmetric) {  // WORKED_EXAMPLES row 12
  manual_seed(3);
  Tensor x = randn({5}, DType::Float64);
  auto f = [](const Tensor& v) { return sum(softmax(v, 0) * softmax(v, 0)); };
  Tensor h = autograd::hessian(f, x);
  EXPECT_TRUE(check_values(h, t(h).tolist(), {5, 5}, 1e-12, 1e-14));
  // each column of H against central differences of the analytic gradient
  auto grad_at = [&](const Tensor& v) {
    Tensor w = v.detach().requires_grad_();
    return autograd::grad({f(w)}, {w})[0];
  };
  const double eps = 1e-6;
  for (int64_t j = 0; j < 5; ++j) {
    Tensor e = zeros({5}, DType::Float64);
    e.data_ptr<double>()[j] = eps;
    Tensor num = (grad_at(x + e) - grad_at(x - e)) / (2 * eps);
    EXPECT_TRUE(check_values(num, h.select(1, j).tolist(), {5}, 1e-5, 1e-8));
  }
}

TEST(Softmax, MatchesPyTorch) {
  EXPECT_GE(check_nn_functional_reference({"softmax", "log_softmax", "logsumexp"}), 15);
}

TEST(Softmax, BadDimIsAnError) {
  Tensor x = zeros({2, 3});
  try {
    softmax(x, 2);
    FAIL() << "expected gf::Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("softmax"), std::string::npos) << e.what();
  }
  EXPECT_THROW(log_softmax(x, -3), Error);
  EXPECT_THROW(logsumexp(x, 5), Error);
}
