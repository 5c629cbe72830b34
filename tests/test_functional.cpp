// Functional derivatives (jacobian, hessian, vjp, jvp, hvp) and custom autograd::Function gates.
#include <gtest/gtest.h>

#include <cmath>
#include <gradflow/gradflow.hpp>

using namespace gf;
using autograd::Context;
using autograd::Function;

namespace {

Tensor f64(std::vector<double> v, const Shape& s) {
  return tensor(std::move(v), s, DType::Float64);
}

void expect_near_all(const Tensor& a, const std::vector<double>& b, double tol = 1e-12) {
  auto av = a.tolist();
  ASSERT_EQ(av.size(), b.size());
  for (std::size_t i = 0; i < b.size(); ++i) EXPECT_NEAR(av[i], b[i], tol) << "element " << i;
}

// ---- seed 001's gates, written as a user would ----

// z = x y;   dL/dx = y dL/dz,  dL/dy = x dL/dz
struct MultiplyGate : Function<MultiplyGate> {
  static Tensor forward(Context& ctx, const Tensor& x, const Tensor& y) {
    ctx.save_for_backward({x, y});
    return x * y;
  }
  static std::vector<Tensor> backward(Context& ctx, const std::vector<Tensor>& dz) {
    auto s = ctx.saved_tensors();
    return {s[1] * dz[0], s[0] * dz[0]};
  }
};

// z = x + y;   dL/dx = dL/dz,  dL/dy = dL/dz
struct AddGate : Function<AddGate> {
  static Tensor forward(Context&, const Tensor& x, const Tensor& y) { return x + y; }
  static std::vector<Tensor> backward(Context&, const std::vector<Tensor>& dz) {
    return {dz[0], dz[0]};
  }
};

// z = k x with a non-tensor argument kept in saved_data, and a custom grad_fn name.
struct ScaleGate : Function<ScaleGate> {
  static std::string name() { return "Scale"; }
  static Tensor forward(Context& ctx, const Tensor& x, double k) {
    ctx.saved_data["k"] = k;
    return x * k;
  }
  static std::vector<Tensor> backward(Context& ctx, const std::vector<Tensor>& dz) {
    return {dz[0] * ctx.saved_data["k"]};
  }
};

// y = exp(x) by a hand-written loop; saves its own output:  dL/dx = y dL/dy
struct ExpGate : Function<ExpGate> {
  static Tensor forward(Context& ctx, const Tensor& x) {
    Tensor y = x.contiguous().clone();
    double* p = y.data_ptr<double>();
    for (int64_t i = 0; i < y.numel(); ++i) p[i] = std::exp(p[i]);
    ctx.save_for_backward({y});
    return y;
  }
  static std::vector<Tensor> backward(Context& ctx, const std::vector<Tensor>& dy) {
    return {ctx.saved_tensors()[0] * dy[0]};
  }
};

struct WrongCountGate : Function<WrongCountGate> {
  static Tensor forward(Context&, const Tensor& x, const Tensor& y) { return x * y; }
  static std::vector<Tensor> backward(Context&, const std::vector<Tensor>& dz) { return {dz[0]}; }
};

}  // namespace

TEST(CustomFunction, Seed001GatesGiveTheChainRule) {  // WORKED_EXAMPLES row 1, with gates
  Tensor x = scalar_tensor(-2, DType::Float64).requires_grad_();
  Tensor y = scalar_tensor(5, DType::Float64).requires_grad_();
  Tensor z = scalar_tensor(-4, DType::Float64).requires_grad_();
  Tensor q = AddGate::apply(x, y);
  Tensor L = MultiplyGate::apply(q, z);
  EXPECT_EQ(q.grad_fn_name(), "AddGateBackward");
  EXPECT_EQ(L.grad_fn_name(), "MultiplyGateBackward");
  EXPECT_EQ(L.item(), -12);
  L.backward();
  EXPECT_EQ(x.grad().item(), -4);
  EXPECT_EQ(y.grad().item(), -4);
  EXPECT_EQ(z.grad().item(), 3);
}

TEST(CustomFunction, NoGraphWithoutRequiresGrad) {
  Tensor a = f64({1, 2}, {2}), b = f64({3, 4}, {2});
  Tensor c = MultiplyGate::apply(a, b);
  EXPECT_FALSE(c.requires_grad());
  EXPECT_EQ(c.grad_fn_name(), "");
  expect_near_all(c, {3, 8});
}

TEST(CustomFunction, BroadcastingAndMixingWithBuiltinOps) {
  Tensor a = f64({1, 2, 3, 4, 5, 6}, {2, 3}).requires_grad_();
  Tensor b = f64({10, 20, 30}, {3}).requires_grad_();
  // The gate's backward returns y dz of shape [2, 3] for b of shape [3]: that is an error...
  Tensor out = MultiplyGate::apply(a, b.expand({2, 3}));  // ...so expand first, as a user would
  (out * 2.0).sum().backward();
  expect_near_all(a.grad(), {20, 40, 60, 20, 40, 60});
  expect_near_all(b.grad(), {2 * 5, 2 * 7, 2 * 9});
}

TEST(CustomFunction, NonTensorArgumentAndCustomName) {
  Tensor x = f64({1, -2}, {2}).requires_grad_();
  Tensor y = ScaleGate::apply(x, 3.0);
  EXPECT_EQ(y.grad_fn_name(), "ScaleBackward");
  y.sum().backward();
  expect_near_all(x.grad(), {3, 3});
}

TEST(CustomFunction, SavingTheOutputAndSecondDerivatives) {
  Tensor x = f64({0.5, -1.0, 2.0}, {3}).requires_grad_();
  Tensor y = ExpGate::apply(x);
  auto g = autograd::grad({y.sum()}, {x}, {}, false, /*create_graph=*/true)[0];
  auto gg = autograd::grad({g.sum()}, {x})[0];  // d²/dx² exp = exp
  expect_near_all(g, {std::exp(0.5), std::exp(-1.0), std::exp(2.0)});
  expect_near_all(gg, {std::exp(0.5), std::exp(-1.0), std::exp(2.0)});
  auto r =
      autograd::gradgradcheck([](const std::vector<Tensor>& v) { return ExpGate::apply(v[0]); },
                              {f64({0.1, 0.2}, {2}).requires_grad_()});
  EXPECT_TRUE(r.ok) << r.report;
}

TEST(CustomFunction, SecondBackwardThroughFreedGateIsAnError) {
  Tensor x = f64({1, 2}, {2}).requires_grad_();
  Tensor y = f64({3, 4}, {2}).requires_grad_();
  Tensor z = MultiplyGate::apply(x, y).sum();
  z.backward();
  try {
    z.backward();
    FAIL() << "expected gf::Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("second time"), std::string::npos) << e.what();
  }
}

TEST(CustomFunction, WrongNumberOfGradientsIsAnError) {
  Tensor x = f64({1}, {1}).requires_grad_();
  Tensor y = f64({2}, {1}).requires_grad_();
  try {
    WrongCountGate::apply(x, y).sum().backward();
    FAIL() << "expected gf::Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("WrongCountGateBackward: backward returned 1 gradients, "
                                         "expected 2"),
              std::string::npos)
        << e.what();
  }
}

// ---- jacobian / hessian / vjp / jvp / hvp on ops with known derivatives ----

// f(x) = a ⊙ x ⊙ x + W x:  J = diag(2 a ⊙ x) + W
TEST(Functional, JacobianOfQuadraticPlusLinear) {
  Tensor a = f64({1, 2, 3}, {3});
  Tensor W = f64({1, 2, 3, 4, 5, 6}, {2, 3});
  Tensor x = f64({0.5, -1, 2}, {3});
  auto f = [&](const Tensor& v) { return matmul(W, v) + (a * v * v).sum(); };  // shape [2]
  Tensor J = autograd::jacobian(f, x);
  EXPECT_EQ(J.sizes(), Shape({2, 3}));
  // d/dx_j sum(a x²) = 2 a_j x_j = [1, -4, 12], added to every row of W
  expect_near_all(J, {2, -2, 15, 5, 1, 18});
  EXPECT_FALSE(J.requires_grad());
  EXPECT_FALSE(x.requires_grad());  // x untouched
}

TEST(Functional, JacobianShapesAreOutputThenInput) {
  Tensor x = f64({1, 2, 3, 4, 5, 6}, {2, 3});
  Tensor J = autograd::jacobian([](const Tensor& v) { return v.t() * 2.0; }, x);
  EXPECT_EQ(J.sizes(), Shape({3, 2, 2, 3}));
  // J[i, j, k, l] = 2 [i == l][j == k]
  auto vals = J.tolist();
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 2; ++j)
      for (int k = 0; k < 2; ++k)
        for (int l = 0; l < 3; ++l)
          EXPECT_EQ(vals[((i * 2 + j) * 2 + k) * 3 + l], (i == l && j == k) ? 2.0 : 0.0);
}

TEST(Functional, JacobianOfOutputNotDependingOnXIsZero) {
  Tensor x = f64({1, 2}, {2});
  Tensor c = f64({5, 6, 7}, {3});
  Tensor J = autograd::jacobian([&](const Tensor&) { return c * 2.0; }, x);
  EXPECT_EQ(J.sizes(), Shape({3, 2}));
  expect_near_all(J, std::vector<double>(6, 0.0));
  Tensor other = f64({1, 1, 1}, {3}).requires_grad_();
  J = autograd::jacobian([&](const Tensor&) { return other * 2.0; }, x);
  expect_near_all(J, std::vector<double>(6, 0.0));
  Tensor I = autograd::jacobian([](const Tensor& v) { return v; }, x);  // identity
  expect_near_all(I, {1, 0, 0, 1});
}

TEST(Functional, JacobianWithCreateGraphIsDifferentiable) {
  Tensor x = f64({1, 2, 3}, {3}).requires_grad_();
  // f = x³: J = diag(3x²); sum(J) = 3 Σ x², d/dx = 6x
  Tensor J = autograd::jacobian([](const Tensor& v) { return v * v * v; }, x, true);
  ASSERT_TRUE(J.requires_grad());
  expect_near_all(J, {3, 0, 0, 0, 12, 0, 0, 0, 27});
  J.sum().backward();
  expect_near_all(x.grad(), {6, 12, 18});
}

TEST(Functional, HessianOfCubicIsDiagonal) {
  Tensor x = f64({1, -2, 0.5}, {3});
  Tensor H = autograd::hessian([](const Tensor& v) { return (v * v * v).sum(); }, x);
  EXPECT_EQ(H.sizes(), Shape({3, 3}));
  expect_near_all(H, {6, 0, 0, 0, -12, 0, 0, 0, 3});
  // linear f: H = 0; f(x) = x0 x1 on a 2x1 input: off-diagonal ones
  expect_near_all(autograd::hessian([](const Tensor& v) { return (v * 4.0).sum(); }, x),
                  std::vector<double>(9, 0.0));
  Tensor x2 = f64({3, 4}, {2, 1});
  Tensor H2 = autograd::hessian([](const Tensor& v) { return (v[0] * v[1]).sum(); }, x2);
  EXPECT_EQ(H2.sizes(), Shape({2, 1, 2, 1}));
  expect_near_all(H2, {0, 1, 1, 0});
}

TEST(Functional, HessianNeedsOneElement) {
  try {
    autograd::hessian([](const Tensor& v) { return v * v; }, f64({1, 2}, {2}));
    FAIL() << "expected gf::Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("hessian: f must return a tensor with one element, got "
                                         "shape [2]"),
              std::string::npos)
        << e.what();
  }
}

TEST(Functional, VjpJvpHvpAgreeWithJacobianAndHessian) {
  Tensor W = f64({1, 2, 3, 4, 5, 6}, {2, 3});
  Tensor x = f64({0.5, -1, 2}, {3});
  auto f = [&](const Tensor& v) { return matmul(W, v * v); };  // J = W diag(2x)
  Tensor J = autograd::jacobian(f, x);                         // [[1, -4, 12], [4, -10, 24]]
  expect_near_all(J, {1, -4, 12, 4, -10, 24});
  auto [y1, vj] = autograd::vjp(f, x, f64({1, -1}, {2}));
  expect_near_all(y1, {0.25 + 2 + 12, 1 + 5 + 24});
  expect_near_all(vj, {-3, 6, -12});
  auto [y2, jv] = autograd::jvp(f, x, f64({1, 0, 2}, {3}));
  expect_near_all(y2, y1.tolist());
  expect_near_all(jv, {1 + 24, 4 + 48});
  EXPECT_FALSE(jv.requires_grad());
  // g(x) = sum(x³) + x0 x1: H = diag(6x) + offdiag(0,1)
  auto g = [](const Tensor& v) { return (v * v * v).sum() + v[0] * v[1]; };
  auto [y3, hv] = autograd::hvp(g, x, f64({1, 1, 1}, {3}));
  EXPECT_NEAR(y3.item(), 0.125 - 1 + 8 - 0.5, 1e-12);
  expect_near_all(hv, {3 + 1, -6 + 1, 12});
  expect_near_all(autograd::hessian(g, x), {3, 1, 0, 1, -6, 0, 0, 0, 12});
}

TEST(Functional, JvpOfLinearAndConstantFunctions) {
  Tensor x = f64({1, 2}, {2});
  auto [y, jv] = autograd::jvp([](const Tensor& v) { return v * 3.0; }, x, f64({1, -1}, {2}));
  expect_near_all(jv, {3, -3});
  auto [y2, jv2] = autograd::jvp([](const Tensor& v) { return v; }, x, f64({4, 5}, {2}));
  expect_near_all(jv2, {4, 5});
  Tensor c = f64({7}, {1});
  auto [y3, jv3] = autograd::jvp([&](const Tensor&) { return c; }, x, f64({4, 5}, {2}));
  expect_near_all(jv3, {0});
}

TEST(Functional, ShapeMismatchErrorsNameTheOp) {
  Tensor x = f64({1, 2}, {2});
  auto f = [](const Tensor& v) { return v * 2.0; };
  EXPECT_THROW(
      {
        try {
          autograd::jvp(f, x, f64({1, 2, 3}, {3}));
        } catch (const Error& e) {
          EXPECT_NE(std::string(e.what()).find("jvp: v has shape [3] but x has shape [2]"),
                    std::string::npos)
              << e.what();
          throw;
        }
      },
      Error);
  EXPECT_THROW(autograd::vjp(f, x, f64({1}, {1})), Error);
  EXPECT_THROW(autograd::jacobian(f, arange(3.0)), Error);  // Int64 input
}
