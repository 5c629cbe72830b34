// Rows 1-13 of WORKED_EXAMPLES.md (the numbers from the seed notebooks), in float64.
// Rows 14-16 (training, layers, module printing) live with the nn/optim tests.
#include <gtest/gtest.h>

#include <cmath>
#include <gradflow/gradflow.hpp>
#include <gradflow/nn/functional.hpp>
#include <gradflow/nn/linear.hpp>

using namespace gf;
namespace F = gf::nn::functional;

namespace {

constexpr DType kF64 = DType::Float64;

Tensor f64(std::vector<double> v, const Shape& s) { return tensor(std::move(v), s, kF64); }

void expect_all_near(const Tensor& a, const std::vector<double>& b, double tol) {
  auto av = a.tolist();
  ASSERT_EQ(av.size(), b.size());
  for (std::size_t i = 0; i < b.size(); ++i) EXPECT_NEAR(av[i], b[i], tol) << "element " << i;
}

void expect_all_near(const Tensor& a, const Tensor& b, double tol) {
  EXPECT_EQ(a.sizes(), b.sizes());
  expect_all_near(a, b.tolist(), tol);
}

// seed 002: softmax with the max subtracted first, as a loop over elements
std::vector<double> softmax_loop(const std::vector<double>& x) {
  double m = x[0];
  for (double v : x) m = std::max(m, v);
  std::vector<double> e(x.size());
  double total = 0;
  for (std::size_t i = 0; i < x.size(); ++i) total += e[i] = std::exp(x[i] - m);
  for (double& v : e) v /= total;
  return e;
}

}  // namespace

TEST(WorkedExamples, Row01ChainRuleOnGates) {
  Tensor x = scalar_tensor(-2, kF64).requires_grad_();
  Tensor y = scalar_tensor(5, kF64).requires_grad_();
  Tensor z = scalar_tensor(-4, kF64).requires_grad_();
  Tensor L = (x + y) * z;
  EXPECT_EQ(L.item(), -12);
  EXPECT_EQ(L.grad_fn_name(), "MulBackward0");
  L.backward();
  EXPECT_EQ(x.grad().item(), -4);
  EXPECT_EQ(y.grad().item(), -4);
  EXPECT_EQ(z.grad().item(), 3);
}

TEST(WorkedExamples, Row02SoftmaxAndItsJacobian) {
  const std::vector<double> xv = {-1.3, 0.5, 2.1};
  const std::vector<double> s_expected = {0.02701699, 0.16344326, 0.80953975};
  const std::vector<double> J_expected = {0.02628707,  -0.00441574, -0.02187133,
                                          -0.00441574, 0.13672956,  -0.13231381,
                                          -0.02187133, -0.13231381, 0.15418514};
  Tensor x = f64(xv, {3});
  Tensor shifted = x - x.max();  // [-3.4, -1.6, 0]
  expect_all_near(shifted, {-3.4, -1.6, 0}, 1e-15);

  // loop version
  auto s_loop = softmax_loop(xv);
  std::vector<double> J_loop(9);
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j)
      J_loop[i * 3 + j] = (i == j ? s_loop[i] : 0) - s_loop[i] * s_loop[j];
  for (int i = 0; i < 3; ++i) EXPECT_NEAR(s_loop[i], s_expected[i], 5e-9);
  for (int i = 0; i < 9; ++i) EXPECT_NEAR(J_loop[i], J_expected[i], 5e-9);

  // vectorized version: diag(s) - s sᵀ
  Tensor s = softmax(x, 0);
  expect_all_near(s, s_expected, 5e-9);
  Tensor J_vec = eye(3, kF64) * s.unsqueeze(0) - outer(s, s);
  expect_all_near(J_vec, J_loop, 1e-15);

  // autograd
  Tensor J = autograd::jacobian([](const Tensor& v) { return softmax(v, 0); }, x);
  EXPECT_EQ(J.sizes(), Shape({3, 3}));
  expect_all_near(J, J_loop, 1e-15);
  expect_all_near(J, J_expected, 5e-9);
}

TEST(WorkedExamples, Row03SumOfTwoX) {
  Tensor x = ones({2, 2}, kF64).requires_grad_();
  Tensor g = (x * 2.0).sum();
  EXPECT_EQ(g.item(), 8);
  EXPECT_EQ(g.grad_fn_name(), "SumBackward0");
  g.backward();
  expect_all_near(x.grad(), {2, 2, 2, 2}, 0);
}

TEST(WorkedExamples, Row04AddMulMean) {
  Tensor x = ones({2, 2}, kF64).requires_grad_();
  Tensor y = x + 2.0;
  EXPECT_EQ(y.grad_fn_name(), "AddBackward0");
  Tensor z = y * y * 3.0;
  EXPECT_EQ(z.grad_fn_name(), "MulBackward0");
  expect_all_near(z, {27, 27, 27, 27}, 0);
  Tensor o = z.mean();
  EXPECT_EQ(o.grad_fn_name(), "MeanBackward0");
  EXPECT_EQ(o.item(), 27);
  o.backward();
  expect_all_near(x.grad(), {4.5, 4.5, 4.5, 4.5}, 0);
}

TEST(WorkedExamples, Row05VectorJacobianProductOfRepeatedDoubling) {
  auto norm = [](const Tensor& t) {
    double s = 0;
    for (double v : t.tolist()) s += v * v;
    return std::sqrt(s);
  };
  const std::vector<double> v = {0.1, 1.0, 0.0001};
  // ‖x‖ = 1.2247: 2x then nine more doublings reach ‖y‖ ≥ 1000, so k = 10 as in the notebook
  Tensor x = f64({1.0, 0.5, 0.5}, {3}).requires_grad_();
  Tensor y = x * 2.0;
  int k = 1;
  while (norm(y) < 1000) {
    y = y * 2.0;
    ++k;
  }
  EXPECT_EQ(k, 10);
  y.backward(f64(v, {3}));
  expect_all_near(x.grad(), {102.4, 1024, 0.1024}, 1e-12);

  manual_seed(0);  // a random x as in the notebook: x.grad = 2^k v for whatever k it takes
  Tensor r = randn({3}, kF64).requires_grad_();
  Tensor ry = r * 2.0;
  int rk = 1;
  while (norm(ry) < 1000) {
    ry = ry * 2.0;
    ++rk;
  }
  ry.backward(f64(v, {3}));
  const double p = std::ldexp(1.0, rk);
  expect_all_near(r.grad(), {p * 0.1, p * 1.0, p * 0.0001}, 1e-12 * p);
}

TEST(WorkedExamples, Row06SoftmaxOutputsSumToOneSoGradientIsZero) {
  Tensor x = f64({-1.3, 0.5, 2.1}, {1, 3}).requires_grad_();
  Tensor l = softmax(x, 1);
  Tensor k = (l * 2.0).sum();
  EXPECT_NEAR(k.item(), 2.0, 1e-15);
  k.backward();
  expect_all_near(x.grad(), {0, 0, 0}, 1e-15);
}

TEST(WorkedExamples, Row07NoGradGuard) {
  Tensor x = ones({3}, kF64).requires_grad_();
  {
    NoGradGuard guard;
    EXPECT_FALSE((x * x).requires_grad());
  }
  EXPECT_TRUE((x * x).requires_grad());
}

TEST(WorkedExamples, Row08CrossEntropyGradientIsSoftmaxMinusOneHot) {
  // z = log p (up to a constant) gives softmax(z) = p
  Tensor z =
      f64({std::log(0.2) + 1, std::log(0.7) + 1, std::log(0.1) + 1}, {1, 3}).requires_grad_();
  expect_all_near(softmax(z, 1), {0.2, 0.7, 0.1}, 1e-15);
  Tensor target = tensor({1}, DType::Int64);
  F::cross_entropy(z, target).backward();
  expect_all_near(z.grad(), {0.2, -0.3, 0.1}, 1e-15);

  // the same with probability targets y = [0, 1, 0], and written out as -Σ y log softmax(z)
  Tensor y = f64({0, 1, 0}, {1, 3});
  Tensor z2 = z.detach().clone().requires_grad_();
  F::cross_entropy(z2, y).backward();
  expect_all_near(z2.grad(), {0.2, -0.3, 0.1}, 1e-15);
  Tensor z3 = z.detach().clone().requires_grad_();
  (-(y * log_softmax(z3, 1)).sum()).backward();
  expect_all_near(z3.grad(), {0.2, -0.3, 0.1}, 1e-15);
}

TEST(WorkedExamples, Row09JacobiansOfSigmoidAndSoftmax) {
  manual_seed(0);
  Tensor x = rand({10}, kF64);
  Tensor Js = autograd::jacobian([](const Tensor& v) { return sigmoid(v); }, x);
  EXPECT_EQ(Js.sizes(), Shape({10, 10}));
  auto sig = sigmoid(x).tolist();
  auto jv = Js.tolist();
  for (int i = 0; i < 10; ++i)
    for (int j = 0; j < 10; ++j)
      EXPECT_NEAR(jv[i * 10 + j], i == j ? sig[i] * (1 - sig[i]) : 0.0, 1e-15);

  Tensor s = softmax(x, 0);
  Tensor J = autograd::jacobian([](const Tensor& v) { return softmax(v, 0); }, x);
  expect_all_near(J, eye(10, kF64) * s.unsqueeze(0) - outer(s, s), 1e-15);
  auto sv = s.tolist();
  auto Jv = J.tolist();
  for (int i = 0; i < 10; ++i) EXPECT_NEAR(Jv[i * 11], sv[i] * (1 - sv[i]), 1e-15);
}

TEST(WorkedExamples, Row10JacobianOfAffineMap) {
  manual_seed(1);
  Tensor W = randn({3, 4}, kF64), b = randn({3}, kF64), x = randn({4}, kF64);
  Tensor Jx = autograd::jacobian([&](const Tensor& v) { return matmul(W, v) + b; }, x);
  expect_all_near(Jx, W, 1e-15);
  Tensor Jb = autograd::jacobian([&](const Tensor& v) { return matmul(W, x) + v; }, b);
  expect_all_near(Jb, eye(3, kF64), 0);
}

TEST(WorkedExamples, Row11CrossEntropyPerRowAndMean) {
  manual_seed(0);
  Tensor x = randn({10, 5}, kF64);
  Tensor y = randint(0, 3, {10});
  nn::Linear lin(5, 3, true, kF64);
  Tensor logits = lin.forward(x);
  expect_all_near(logits, matmul(x, lin.weight.t()) + lin.bias, 1e-14);
  expect_all_near(F::linear(x, lin.weight, lin.bias), logits, 1e-14);

  Tensor per_row = F::cross_entropy(logits, y, nn::Reduction::None);
  EXPECT_EQ(per_row.sizes(), Shape({10}));
  Tensor picked = -log_softmax(logits, 1).gather(1, y.unsqueeze(1)).squeeze(1);  // fancy index
  expect_all_near(per_row, picked, 1e-14);
  // row by row, from first principles: -log(exp(z_y) / Σ exp(z))
  auto lv = logits.tolist();
  auto yv = y.tolist();
  auto pv = per_row.tolist();
  for (int i = 0; i < 10; ++i) {
    double total = 0;
    for (int c = 0; c < 3; ++c) total += std::exp(lv[i * 3 + c]);
    EXPECT_NEAR(pv[i], -std::log(std::exp(lv[i * 3 + static_cast<int>(yv[i])]) / total), 1e-13);
  }
  EXPECT_NEAR(per_row.mean().item(), F::cross_entropy(logits, y).item(), 1e-14);
  EXPECT_NEAR(per_row.mean().item(), F::cross_entropy(logits, y, nn::Reduction::Mean).item(),
              1e-14);
  EXPECT_NEAR(per_row.sum().item(), F::cross_entropy(logits, y, nn::Reduction::Sum).item(), 1e-13);
}

TEST(WorkedExamples, Row12HessianMatchesCentralDifferencesAndIsSymmetric) {
  manual_seed(2);
  Tensor x = randn({10}, kF64);
  auto f = [](const Tensor& v) { return softmax(v, 0).pow(2.0).sum(); };
  Tensor H = autograd::hessian(f, x);
  ASSERT_EQ(H.sizes(), Shape({10, 10}));
  auto h = H.tolist();
  for (int i = 0; i < 10; ++i)
    for (int j = 0; j < 10; ++j) EXPECT_NEAR(h[i * 10 + j], h[j * 10 + i], 1e-15);
  // row j of H is the central-difference gradient of ∂f/∂x_j
  for (int j = 0; j < 10; ++j) {
    auto df_j = [&](const Tensor& v) {
      AutoGradMode on(true);
      Tensor leaf = v.detach().requires_grad_();
      return autograd::grad({f(leaf)}, {leaf})[0].select(0, j);
    };
    auto row = autograd::numerical_gradient(df_j, x, 1e-5).tolist();
    for (int i = 0; i < 10; ++i) EXPECT_NEAR(h[j * 10 + i], row[i], 1e-8) << j << "," << i;
  }
}

TEST(WorkedExamples, Row13NumericalGradientOfReluMlpMatchesAutograd) {
  manual_seed(3);
  Tensor x = randn({6, 4}, kF64);
  Tensor y = randint(0, 3, {6});
  Tensor W1 = randn({4, 5}, kF64), b1 = randn({5}, kF64);
  Tensor W2 = randn({5, 3}, kF64), b2 = randn({3}, kF64);
  std::vector<Tensor> params = {W1, b1, W2, b2};
  auto loss = [&](const std::vector<Tensor>& p) {
    return F::cross_entropy(matmul(relu(matmul(x, p[0]) + p[1]), p[2]) + p[3], y);
  };
  std::vector<Tensor> leaves;
  for (const Tensor& p : params) leaves.push_back(p.detach().clone().requires_grad_());
  loss(leaves).backward();
  // the notebook's loop: nudge one W_ij at a time
  for (std::size_t k = 0; k < params.size(); ++k) {
    auto f_k = [&](const Tensor& v) {
      std::vector<Tensor> p = params;
      p[k] = v;
      return loss(p);
    };
    auto numeric = autograd::numerical_gradient(f_k, params[k]).tolist();
    auto analytic = leaves[k].grad().tolist();
    ASSERT_EQ(numeric.size(), analytic.size());
    for (std::size_t i = 0; i < numeric.size(); ++i)
      EXPECT_NEAR(analytic[i], numeric[i], 1e-6 * std::max(std::fabs(numeric[i]), 1e-3))
          << "parameter " << k << " element " << i;
  }
}
