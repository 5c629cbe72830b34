// Elementwise math (exp, log, sqrt, abs, pow, relu, sigmoid, tanh, clamp, where, ...),
// comparisons and max/min/argmax: forward values, gradients (gradcheck + gradgradcheck, also on
// broadcast shapes), grad_fn names, error messages, numerical stability, and agreement with
// PyTorch through tests/reference/ops_elementwise.json (written by ops_elementwise.py).
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <map>

#include "support/errors.hpp"
#include "support/op_check.hpp"

using namespace gf;
using namespace gf::test;

namespace {

// The op table shared with tests/reference/ops_elementwise.py.
const std::map<std::string, OpFn>& ops() {
  static const std::map<std::string, OpFn> table = {
      {"exp", [](const Inputs& x) { return gf::exp(x[0]); }},
      {"log", [](const Inputs& x) { return gf::log(x[0]); }},
      {"log1p", [](const Inputs& x) { return gf::log1p(x[0]); }},
      {"sqrt", [](const Inputs& x) { return gf::sqrt(x[0]); }},
      {"abs", [](const Inputs& x) { return gf::abs(x[0]); }},
      {"sign", [](const Inputs& x) { return gf::sign(x[0]); }},
      {"square", [](const Inputs& x) { return gf::square(x[0]); }},
      {"pow_2.5", [](const Inputs& x) { return gf::pow(x[0], 2.5); }},
      {"pow_3", [](const Inputs& x) { return gf::pow(x[0], 3.0); }},
      {"pow_-1.5", [](const Inputs& x) { return gf::pow(x[0], -1.5); }},
      {"pow_0", [](const Inputs& x) { return gf::pow(x[0], 0.0); }},
      {"pow_tensor", [](const Inputs& x) { return gf::pow(x[0], x[1]); }},
      {"relu", [](const Inputs& x) { return gf::relu(x[0]); }},
      {"sigmoid", [](const Inputs& x) { return gf::sigmoid(x[0]); }},
      {"tanh", [](const Inputs& x) { return gf::tanh(x[0]); }},
      {"clamp", [](const Inputs& x) { return gf::clamp(x[0], -0.5, 0.75); }},
      {"where", [](const Inputs& x) { return gf::where(x[0] != 0.0, x[1], x[2]); }},
      {"maximum", [](const Inputs& x) { return gf::maximum(x[0], x[1]); }},
      {"minimum", [](const Inputs& x) { return gf::minimum(x[0], x[1]); }},
      {"max_all", [](const Inputs& x) { return gf::max(x[0]); }},
      {"min_all", [](const Inputs& x) { return gf::min(x[0]); }},
      {"max_dim0", [](const Inputs& x) { return gf::max(x[0], 0); }},
      {"max_dim1_keepdim", [](const Inputs& x) { return gf::max(x[0], 1, true); }},
      {"max_dim-1", [](const Inputs& x) { return gf::max(x[0], -1); }},
      {"min_dim1", [](const Inputs& x) { return gf::min(x[0], 1); }},
      {"argmax_dim1", [](const Inputs& x) { return gf::argmax(x[0], 1); }},
      {"argmax_dim0_keepdim", [](const Inputs& x) { return gf::argmax(x[0], 0, true); }},
      {"argmax_all", [](const Inputs& x) { return gf::argmax(x[0]); }},
      {"argmin_dim1", [](const Inputs& x) { return gf::argmin(x[0], 1); }},
      {"eq", [](const Inputs& x) { return gf::eq(x[0], x[1]); }},
      {"ne", [](const Inputs& x) { return gf::ne(x[0], x[1]); }},
      {"lt", [](const Inputs& x) { return x[0] < x[1]; }},
      {"le", [](const Inputs& x) { return x[0] <= x[1]; }},
      {"gt", [](const Inputs& x) { return x[0] > x[1]; }},
      {"ge", [](const Inputs& x) { return x[0] >= x[1]; }},
  };
  return table;
}

nlohmann::json load_reference() { return load_reference_file("ops_elementwise.json"); }

Tensor f64(std::initializer_list<double> v) { return tensor(v, DType::Float64); }

}  // namespace

TEST(OpsElementwise, AgreesWithPyTorch) {
  nlohmann::json ref = load_reference();
  ASSERT_GE(ref["cases"].size(), 50u);
  for (const auto& c : ref["cases"]) {
    SCOPED_TRACE(c["name"].get<std::string>());
    bool f32 = false;
    for (const auto& in : c["inputs"]) f32 |= in.value("dtype", "") == "float32";
    double rtol = f32 ? 1e-5 : 1e-10, atol = f32 ? 1e-6 : 1e-12;
    const OpFn& fn = ops().at(c["op"].get<std::string>());
    EXPECT_TRUE(check_reference(fn, c, rtol, atol));
    // the same dtype and grad_fn as PyTorch
    Inputs xs = json_inputs(c);
    Tensor out = fn(xs);
    EXPECT_EQ(dtype_name(out.dtype()), "torch." + c["output"]["dtype"].get<std::string>());
    EXPECT_EQ(out.grad_fn_name(), c.value("grad_fn", std::string()));
  }
}

TEST(OpsElementwise, GradcheckAndGradgradcheck) {
  auto un = [](Tensor (*f)(const Tensor&)) { return [f](const Inputs& x) { return f(x[0]); }; };
  const std::vector<OpCase> cases = {
      {"exp", un(gf::exp), {{2, 3}}},
      {"log", un(gf::log), {{2, 3}}, uniform(0.2, 3)},
      {"log1p", un(gf::log1p), {{4}}, uniform(-0.5, 2)},
      {"sqrt", un(gf::sqrt), {{3, 2}}, uniform(0.2, 3)},
      {"abs", un(gf::abs), {{2, 3}}, away_from(0, 0.05)},
      {"sign", un(gf::sign), {{5}}, away_from(0, 0.05)},
      {"square", un(gf::square), {{2, 3}}},
      {"relu", un(gf::relu), {{3, 4}}, away_from(0, 0.05)},
      {"sigmoid", un(gf::sigmoid), {{2, 3}}, uniform(-4, 4)},
      {"tanh", un(gf::tanh), {{2, 3}}},
      {"pow 2.5", [](const Inputs& x) { return pow(x[0], 2.5); }, {{4}}, uniform(0.2, 2)},
      {"pow -1", [](const Inputs& x) { return pow(x[0], -1.0); }, {{4}}, uniform(0.5, 2)},
      {"pow 0.5", [](const Inputs& x) { return pow(x[0], 0.5); }, {{4}}, uniform(0.5, 2)},
      {"pow 3", [](const Inputs& x) { return pow(x[0], 3.0); }, {{2, 2}}},
      {"pow tensor broadcast",
       [](const Inputs& x) { return pow(x[0], x[1]); },
       {{2, 3}, {3}},
       uniform(0.3, 2)},
      {"pow tensor outer",
       [](const Inputs& x) { return pow(x[0], x[1]); },
       {{2, 1}, {1, 3}},
       uniform(0.3, 2)},
      {"clamp",
       [](const Inputs& x) { return clamp(x[0], -0.5, 0.75); },
       {{3, 4}},
       [](const Shape& s, std::size_t i, Generator& g) {  // away from both bounds
         Tensor a = away_from(-0.5, 0.05)(s, i, g);
         std::vector<double> v = a.tolist();
         for (double& x : v)
           if (std::fabs(x - 0.75) < 0.05) x += 0.1;
         return tensor(v, s, DType::Float64);
       }},
      {"where broadcast",
       [](const Inputs& x) {
         return where(tensor({1, 0}, {2, 1}, DType::Bool), x[0], x[1]);
       },
       {{3}, {2, 1}}},
      {"where 3-way broadcast",
       [](const Inputs& x) { return where(gt(x[0], 0.0), x[1], x[2]); },
       {{2, 1, 3}, {4, 1}, {3}},
       uniform(-2, 2),
       {false, true, true}},
      {"maximum broadcast", [](const Inputs& x) { return maximum(x[0], x[1]); }, {{2, 3}, {3}}},
      {"minimum broadcast", [](const Inputs& x) { return minimum(x[0], x[1]); }, {{2, 1}, {1, 3}}},
      {"max all", [](const Inputs& x) { return max(x[0]); }, {{3, 4}}},
      {"min all", [](const Inputs& x) { return min(x[0]); }, {{3, 4}}},
      {"max dim 1", [](const Inputs& x) { return max(x[0], 1); }, {{3, 4}}},
      {"max dim 0 keepdim", [](const Inputs& x) { return max(x[0], 0, true); }, {{2, 3, 4}}},
      {"min dim -1", [](const Inputs& x) { return min(x[0], -1); }, {{2, 3, 4}}},
      {"max of a 0-d tensor", [](const Inputs& x) { return max(x[0], 0); }, {{}}},
      {"composite: sigmoid(x) * tanh(y) + exp(-x²)",
       [](const Inputs& x) { return sigmoid(x[0]) * tanh(x[1]) + exp(-square(x[0])); },
       {{2, 3}, {3}}},
      {"composite: relu(x) / sqrt(1 + y²)",
       [](const Inputs& x) { return relu(x[0]) / sqrt(square(x[1]) + 1.0); },
       {{4}, {1}},
       away_from(0, 0.05)},
  };
  for (const OpCase& c : cases) EXPECT_TRUE(check_gradients(c));
}

TEST(OpsElementwise, ForwardFromFirstPrinciples) {
  EXPECT_TRUE(check_values(sigmoid(f64({0, std::log(3.0)})), {0.5, 0.75}));
  EXPECT_TRUE(check_values(tanh(f64({std::atanh(0.5), 0})), {0.5, 0}));
  EXPECT_TRUE(check_values(exp(f64({0, 1, std::log(5.0)})), {1, std::exp(1.0), 5}));
  EXPECT_TRUE(check_values(log(f64({1, std::exp(2.0), 0})), {0, 2, -INFINITY}));
  EXPECT_TRUE(check_values(log(f64({-1})), {NAN}));
  EXPECT_TRUE(check_values(sqrt(f64({4, 2, 0})), {2, std::sqrt(2.0), 0}));
  EXPECT_TRUE(check_values(abs(f64({-3, 0, 2.5})), {3, 0, 2.5}));
  EXPECT_TRUE(check_values(sign(f64({-3, 0, 2.5})), {-1, 0, 1}));
  EXPECT_TRUE(check_values(pow(f64({2, 3}), 3.0), {8, 27}));
  EXPECT_TRUE(check_values(pow(f64({4, 9}), 0.5), {2, 3}));
  EXPECT_TRUE(check_values(pow(f64({2, 4}), -1.0), {0.5, 0.25}));
  EXPECT_TRUE(check_values(pow(f64({2, 3}), f64({3, 2})), {8, 9}));
  EXPECT_TRUE(check_values(relu(f64({-1, 0, 2})), {0, 0, 2}));
  EXPECT_TRUE(check_values(clamp(f64({-2, -1, 0, 1, 2}), -1, 1), {-1, -1, 0, 1, 1}));
  EXPECT_TRUE(check_values(clamp(f64({-2, 5}), 3, 1), {1, 1}));  // lo > hi: hi, like PyTorch
  EXPECT_TRUE(
      check_values(where(tensor({1, 0, 1}, DType::Bool), f64({1, 2, 3}), f64({-1})), {1, -1, 3}));
  EXPECT_TRUE(check_values(maximum(f64({1, 5}), f64({3, 2})), {3, 5}));
  EXPECT_TRUE(check_values(minimum(f64({1, 5}), f64({3, 2})), {1, 2}));
  Tensor m = tensor({1, 7, 3, 9, 2, 9}, {2, 3}, DType::Float64);
  EXPECT_TRUE(check_values(max(m), {9}, Shape{}));
  EXPECT_TRUE(check_values(max(m, 1), {7, 9}, Shape{2}));
  EXPECT_TRUE(check_values(max(m, 0, true), {9, 7, 9}, Shape{1, 3}));
  EXPECT_TRUE(check_values(min(m, 0), {1, 2, 3}, Shape{3}));
  EXPECT_TRUE(check_values(argmax(m, 1), {1, 0}, Shape{2}));  // first index on ties
  EXPECT_TRUE(check_values(argmax(m), {3}, Shape{}));
  EXPECT_TRUE(check_values(argmin(m), {0}, Shape{}));
  EXPECT_EQ(argmax(m, 1).dtype(), DType::Int64);
}

TEST(OpsElementwise, ViewsAndStridedInputs) {
  // transposed (non-contiguous) inputs take the strided path and give the same values
  Tensor x = tensor({1, -2, 3, -4, 5, -6}, {2, 3}, DType::Float64);
  Tensor xt = transpose(x, 0, 1);
  ASSERT_FALSE(xt.is_contiguous());
  EXPECT_TRUE(check_values(relu(xt), {1, 0, 0, 5, 3, 0}, Shape{3, 2}));
  EXPECT_TRUE(check_values(max(xt, 1), {1, 5, 3}, Shape{3}));
  EXPECT_TRUE(check_values(argmax(xt, 0), {2, 1}, Shape{2}));
  EXPECT_TRUE(
      check_values(where(gt(xt, 0.0), xt, scalar_tensor(0, DType::Float64)), {1, 0, 0, 5, 3, 0}));
}

TEST(OpsElementwise, Int64PromotesLikePyTorch) {
  Tensor i = tensor({0, 1, 4}, DType::Int64);
  EXPECT_EQ(exp(i).dtype(), default_dtype());
  EXPECT_EQ(log(i).dtype(), default_dtype());
  EXPECT_EQ(sqrt(i).dtype(), default_dtype());
  EXPECT_EQ(sigmoid(i).dtype(), default_dtype());
  EXPECT_EQ(tanh(i).dtype(), default_dtype());
  EXPECT_TRUE(check_values(sqrt(i), {0, 1, 2}));
  EXPECT_EQ(abs(i).dtype(), DType::Int64);
  EXPECT_EQ(relu(i).dtype(), DType::Int64);
  // An integral exponent keeps the integer dtype (torch::pow(i, 2)); a fractional one promotes.
  EXPECT_EQ(pow(i, 2.0).dtype(), DType::Int64);
  EXPECT_EQ(pow(i, 2.5).dtype(), default_dtype());
  EXPECT_TRUE(check_values(pow(i, 2.0), {0, 1, 16}));
  EXPECT_EQ(square(i).dtype(), DType::Int64);
  EXPECT_TRUE(check_values(square(i), {0, 1, 16}));
  EXPECT_EQ(clamp(i, 1, 3).dtype(), DType::Int64);
  EXPECT_TRUE(check_values(clamp(i, 1, 3), {1, 1, 3}));
  EXPECT_EQ(max(i).dtype(), DType::Int64);
  EXPECT_EQ(where(i != 0.0, i, f64({0.5})).dtype(), DType::Float64);
}

TEST(OpsElementwise, GradFnNames) {
  Tensor x = f64({0.5, 1.5}).requires_grad_();
  Tensor c = tensor({1, 0}, DType::Bool);
  std::vector<std::pair<Tensor, std::string>> expect = {
      {exp(x), "ExpBackward0"},           {log(x), "LogBackward0"},
      {sqrt(x), "SqrtBackward0"},         {abs(x), "AbsBackward0"},
      {pow(x, 2.0), "PowBackward0"},      {pow(x, x), "PowBackward1"},
      {relu(x), "ReluBackward0"},         {sigmoid(x), "SigmoidBackward0"},
      {tanh(x), "TanhBackward0"},         {clamp(x, 0, 1), "ClampBackward1"},
      {where(c, x, x), "WhereBackward0"}, {max(x), "MaxBackward1"},
      {max(x, 0), "MaxBackward0"},        {min(x), "MinBackward1"},
      {log1p(x), "Log1PBackward0"},       {sign(x), "SignBackward0"},
  };
  for (auto& [t, name] : expect) EXPECT_EQ(t.grad_fn_name(), name);
  // comparisons and argmax are never recorded
  EXPECT_FALSE((x > x).requires_grad());
  EXPECT_FALSE(eq(x, 0.5).requires_grad());
  EXPECT_FALSE(argmax(x, 0).requires_grad());
  EXPECT_EQ((x < x).dtype(), DType::Bool);
}

TEST(OpsElementwise, ReluGradientAtZeroIsZero) {
  Tensor x = f64({-1, 0, 2}).requires_grad_();
  sum(relu(x)).backward();
  EXPECT_TRUE(check_values(x.grad(), {0, 0, 1}));
}

TEST(OpsElementwise, ClampGradientPassesAtTheBounds) {
  Tensor x = f64({-2, -1, 0, 1, 2}).requires_grad_();
  sum(clamp(x, -1, 1)).backward();
  EXPECT_TRUE(check_values(x.grad(), {0, 1, 1, 1, 0}));  // inclusive, like PyTorch
}

TEST(OpsElementwise, MaxGradientOnTies) {
  Tensor x = f64({1, 3, 3, 0}).requires_grad_();
  max(x).backward();  // split evenly among the tied maxima
  EXPECT_TRUE(check_values(x.grad(), {0, 0.5, 0.5, 0}));
  Tensor y = tensor({3, 1, 3, 2, 5, 5}, {2, 3}, DType::Float64).requires_grad_();
  sum(max(y, 1)).backward();  // to the first maximum along the dim
  EXPECT_TRUE(check_values(y.grad(), {1, 0, 0, 0, 1, 0}));
}

TEST(OpsElementwise, SecondDerivatives) {
  // d²/dx² sigmoid = s(1-s)(1-2s); d²/dx² tanh = -2 t (1 - t²); d²/dx² exp = exp
  Tensor x = f64({0.3, -1.2}).requires_grad_();
  auto second = [&](Tensor (*f)(const Tensor&)) {
    auto g = autograd::grad({sum(f(x))}, {x}, {}, false, true);
    return autograd::grad({sum(g[0])}, {x})[0];
  };
  std::vector<double> ws, wt, we;
  for (double v : {0.3, -1.2}) {
    double s = 1 / (1 + std::exp(-v)), t = std::tanh(v);
    ws.push_back(s * (1 - s) * (1 - 2 * s));
    wt.push_back(-2 * t * (1 - t * t));
    we.push_back(std::exp(v));
  }
  EXPECT_TRUE(check_values(second(gf::sigmoid), ws));
  EXPECT_TRUE(check_values(second(gf::tanh), wt));
  EXPECT_TRUE(check_values(second(gf::exp), we));
  EXPECT_TRUE(check_values(second(gf::relu), {0, 0}));
}

TEST(OpsElementwise, NumericalStability) {
  Tensor x = tensor({-1000, 1000, -80, 80}, DType::Float32).requires_grad_();
  Tensor s = sigmoid(x);
  EXPECT_TRUE(check_values(s, {0, 1, std::exp(-80.0), 1}, Shape{4}, 1e-5, 0));
  sum(s).backward();
  for (double g : x.grad().tolist()) EXPECT_TRUE(std::isfinite(g));
  EXPECT_TRUE(check_values(tanh(f64({-1000, 1000})), {-1, 1}));
  EXPECT_TRUE(check_values(exp(f64({1000, -1000})), {INFINITY, 0}));  // overflow is inf
  EXPECT_TRUE(check_values(exp(tensor({100}, DType::Float32)), {INFINITY}));
  EXPECT_TRUE(check_values(log1p(f64({1e-20})), {1e-20}));
  EXPECT_TRUE(check_values(max(f64({1, NAN, 3})), {NAN}));  // NaN propagates
  EXPECT_TRUE(check_values(relu(f64({NAN})), {NAN}));
}

TEST(OpsElementwise, Comparisons) {
  Tensor a = tensor({1, 2, 3, 3, 2, 1}, {2, 3}, DType::Float64);
  Tensor b = tensor({2}, DType::Int64);  // broadcast and promoted
  EXPECT_TRUE(check_values(a == b, {0, 1, 0, 0, 1, 0}, Shape{2, 3}));
  EXPECT_TRUE(check_values(a != b, {1, 0, 1, 1, 0, 1}));
  EXPECT_TRUE(check_values(a < b, {1, 0, 0, 0, 0, 1}));
  EXPECT_TRUE(check_values(a <= b, {1, 1, 0, 0, 1, 1}));
  EXPECT_TRUE(check_values(a > b, {0, 0, 1, 1, 0, 0}));
  EXPECT_TRUE(check_values(a >= b, {0, 1, 1, 1, 1, 0}));
  EXPECT_TRUE(check_values(tensor({1, 2}, DType::Int64) < 1.5, {1, 0}));  // exact, not 1 < 1
  EXPECT_TRUE(check_values(eq(f64({NAN}), f64({NAN})), {0}));
  EXPECT_TRUE(allclose(f64({1, 2}), f64({1 + 1e-9, 2})));
  EXPECT_FALSE(allclose(f64({1, 2}), f64({1.001, 2})));
  EXPECT_TRUE(allclose(f64({1, 2}), f64({1.001, 2}), 1e-2));
  EXPECT_TRUE(allclose(f64({0}), f64({1e-9})));                                   // atol
  EXPECT_TRUE(allclose(tensor({1, 1}, {2, 1}, DType::Float64), f64({1, 1, 1})));  // broadcast
  EXPECT_TRUE(allclose(f64({INFINITY}), f64({INFINITY})));
  EXPECT_FALSE(allclose(f64({NAN}), f64({NAN})));
}

TEST(OpsElementwise, ErrorMessagesNameTheOp) {
  Tensor a = zeros({2, 3}), b = zeros({4}), m = zeros({2, 3}, DType::Bool);
  EXPECT_NE(error_of([&] { where(m, a, b); }).find("where"), std::string::npos);
  EXPECT_NE(error_of([&] { where(m, a, b); }).find("[4]"), std::string::npos);
  EXPECT_NE(error_of([&] { a < b; }).find("lt"), std::string::npos);
  EXPECT_NE(error_of([&] { eq(a, b); }).find("[2, 3]"), std::string::npos);
  EXPECT_NE(error_of([&] { pow(a, b); }).find("pow"), std::string::npos);
  EXPECT_NE(error_of([&] { maximum(a, b); }).find("maximum"), std::string::npos);
  EXPECT_NE(error_of([&] { allclose(a, b); }).find("allclose"), std::string::npos);
  EXPECT_NE(error_of([&] { max(a, 2); }).find("max: dim 2 out of range"), std::string::npos);
  EXPECT_NE(error_of([&] { argmax(a, -3); }).find("argmax: dim -3"), std::string::npos);
  Tensor e = empty({2, 0}, DType::Float32);
  EXPECT_NE(error_of([&] { max(e); }).find("max: cannot reduce an empty tensor of shape [2, 0]"),
            std::string::npos);
  EXPECT_NE(error_of([&] { max(e, 1); }).find("max: cannot reduce over dim 1 of size 0"),
            std::string::npos);
  EXPECT_NE(error_of([&] { argmax(e); }).find("argmax: cannot reduce an empty tensor"),
            std::string::npos);
  EXPECT_NE(error_of([&] { min(e, 1); }).find("min:"), std::string::npos);
  EXPECT_EQ(max(e, 0).sizes(), Shape{0});
  EXPECT_NE(error_of([&] { clamp(a, NAN, 1); }).find("clamp"), std::string::npos);
}

TEST(OpsElementwise, OpCheckCatchesWrongGradients) {
  // the helper itself: a recorded gradient that is wrong (detach hides one path) must fail,
  // in the first and in the second derivative
  OpCase wrong{"x * detach(x)", [](const Inputs& x) { return x[0] * x[0].detach(); }, {{3}}};
  auto r = check_gradients(wrong);
  EXPECT_FALSE(r);
  EXPECT_NE(std::string(r.message()).find("x * detach(x): gradcheck: Jacobian mismatch"),
            std::string::npos)
      << r.message();
  OpCase wrong2{
      "x * x * detach(x)", [](const Inputs& x) { return x[0] * x[0] * x[0].detach(); }, {{3}}};
  wrong2.gen = uniform(0.5, 2);
  EXPECT_FALSE(check_gradients(wrong2));
  EXPECT_FALSE(check_values(f64({1, 2}), {1, 2.001}));
  EXPECT_FALSE(check_values(f64({1, 2}), {1, 2}, Shape{1, 2}));
}

TEST(OpsElementwise, SavingTheOutputMakesNoReferenceCycle) {
  using UnaryFn = Tensor (*)(const Tensor&);
  for (UnaryFn f : {UnaryFn(gf::exp), UnaryFn(gf::sqrt), UnaryFn(gf::sigmoid), UnaryFn(gf::tanh),
                    UnaryFn(gf::relu)}) {
    std::weak_ptr<autograd::Node> node;
    {
      Tensor x = f64({0.5, 2}).requires_grad_();
      Tensor y = f(x);
      node = y.grad_fn();
      ASSERT_FALSE(node.expired());
    }
    EXPECT_TRUE(node.expired()) << "grad_fn kept alive by its own saved output";
  }
  std::weak_ptr<autograd::Node> node;
  {
    Tensor x = f64({0.5, 2}).requires_grad_();
    node = pow(x, x).grad_fn();
  }
  EXPECT_TRUE(node.expired());
}
