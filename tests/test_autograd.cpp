// The engine: graph recording, accumulation, retain_graph, create_graph, NoGradGuard.
#include <gtest/gtest.h>

#include <gradflow/gradflow.hpp>

using namespace gf;

TEST(Autograd, Seed001ChainRuleOnGates) {  // WORKED_EXAMPLES row 1
  Tensor x = scalar_tensor(-2, DType::Float64).requires_grad_();
  Tensor y = scalar_tensor(5, DType::Float64).requires_grad_();
  Tensor z = scalar_tensor(-4, DType::Float64).requires_grad_();
  Tensor L = (x + y) * z;
  EXPECT_EQ(L.item(), -12);
  EXPECT_EQ(L.grad_fn_name(), "MulBackward0");
  L.backward();
  EXPECT_EQ(x.grad().item(), -4);
  EXPECT_EQ(y.grad().item(), -4);
  EXPECT_EQ(z.grad().item(), 3);
}

TEST(Autograd, LeafUsedTwiceGetsSumOfPaths) {
  Tensor x = scalar_tensor(3, DType::Float64).requires_grad_();
  Tensor y = x * x + x;  // dy/dx = 2x + 1 = 7
  y.backward();
  EXPECT_EQ(x.grad().item(), 7);
  y = x * x + x;
  y.backward();  // gradients accumulate
  EXPECT_EQ(x.grad().item(), 14);
}

TEST(Autograd, SecondBackwardWithoutRetainGraphIsAnError) {
  Tensor x = scalar_tensor(3, DType::Float64).requires_grad_();
  Tensor y = x * x;
  y.backward({}, /*retain_graph=*/true);
  y.backward();
  EXPECT_EQ(x.grad().item(), 12);
  try {
    y.backward();
    FAIL() << "expected gf::Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("backward through the graph a second time"),
              std::string::npos);
    EXPECT_NE(std::string(e.what()).find("MulBackward0"), std::string::npos);
  }
}

TEST(Autograd, CreateGraphGivesSecondDerivative) {
  Tensor x = scalar_tensor(2, DType::Float64).requires_grad_();
  Tensor y = x * x * x;  // y' = 3x² = 12, y'' = 6x = 12
  auto g = autograd::grad({y}, {x}, {}, false, /*create_graph=*/true);
  EXPECT_EQ(g[0].item(), 12);
  auto gg = autograd::grad({g[0]}, {x});
  EXPECT_EQ(gg[0].item(), 12);
}

TEST(Autograd, NoGradGuardStopsRecording) {  // WORKED_EXAMPLES row 7
  Tensor x = ones({2}).requires_grad_();
  {
    NoGradGuard guard;
    EXPECT_FALSE((x * x).requires_grad());
  }
  EXPECT_TRUE((x * x).requires_grad());
}

TEST(Autograd, LongChainDoesNotOverflowTheStack) {
  Tensor x = scalar_tensor(1, DType::Float64).requires_grad_();
  Tensor y = x;
  for (int i = 0; i < 100000; ++i) y = y + 1.0;
  y.backward();
  EXPECT_EQ(x.grad().item(), 1);
}

TEST(Autograd, BroadcastGradientIsSummedBack) {
  Tensor a = ones({3, 1}, DType::Float64).requires_grad_();
  Tensor b = ones({2}, DType::Float64).requires_grad_();
  (a * b).sum().backward();
  EXPECT_EQ(a.grad().tolist(), (std::vector<double>{2, 2, 2}));
  EXPECT_EQ(b.grad().tolist(), (std::vector<double>{3, 3}));
}

TEST(Autograd, MatmulGradients) {
  Tensor a = tensor({1, 2, 3, 4, 5, 6}, DType::Float64).reshape({2, 3}).detach().requires_grad_();
  Tensor b = tensor({1, 0, 0, 1, 1, 1}, DType::Float64).reshape({3, 2}).detach().requires_grad_();
  Tensor c = matmul(a, b);
  EXPECT_EQ(c.grad_fn_name(), "MmBackward0");
  EXPECT_EQ(c.tolist(), (std::vector<double>{4, 5, 10, 11}));
  c.sum().backward();
  // dL/dA = 1 Bᵀ: row sums of B; dL/dB = Aᵀ 1: column sums of A broadcast
  EXPECT_EQ(a.grad().tolist(), (std::vector<double>{1, 1, 2, 1, 1, 2}));
  EXPECT_EQ(b.grad().tolist(), (std::vector<double>{5, 5, 7, 7, 9, 9}));
}

TEST(Autograd, BackwardOnNonScalarNeedsGradient) {
  Tensor x = ones({3}).requires_grad_();
  EXPECT_THROW((x * 2.0).backward(), Error);
  (x * 2.0).backward(tensor({0.1, 1.0, 0.0001}));
  EXPECT_NEAR(x.grad().tolist()[1], 2.0, 1e-6);
}

TEST(Gradcheck, PassesOnCorrectGradientsAndReportsWorstElement) {
  Tensor a = randn({3, 1}, DType::Float64).requires_grad_();
  Tensor b = randn({2}, DType::Float64).requires_grad_();
  auto f = [](const std::vector<Tensor>& x) { return x[0] * x[1] / (x[1] * x[1] + 1.0); };
  auto r = autograd::gradcheck(f, {a, b});
  EXPECT_TRUE(r.ok) << r.report;
  auto r2 = autograd::gradgradcheck(f, {a, b});
  EXPECT_TRUE(r2.ok) << r2.report;
  // a "function" whose recorded gradient is wrong: detach hides one path from autograd
  auto wrong = [](const std::vector<Tensor>& x) { return x[0] * x[0].detach(); };
  auto bad = autograd::gradcheck(wrong, {a});
  EXPECT_FALSE(bad.ok);
  EXPECT_NE(bad.report.find("Jacobian mismatch"), std::string::npos) << bad.report;
}

TEST(Gradcheck, NumericalGradientOfCube) {
  Tensor x = tensor({1.0, 2.0}, DType::Float64);
  Tensor g = autograd::numerical_gradient([](const Tensor& t) { return (t * t * t).sum(); }, x);
  EXPECT_NEAR(g.tolist()[0], 3.0, 1e-6);
  EXPECT_NEAR(g.tolist()[1], 12.0, 1e-6);
}
