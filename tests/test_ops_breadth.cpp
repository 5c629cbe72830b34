// The second round's elementwise ops (trig, hyperbolic, exp/log variants, rounding, remainders,
// atan2, clamp variants), logical / bitwise / isnan-family ops, and the nn::functional
// activations with their modules: forward values and gradients against PyTorch in float32 and
// float64 (tests/reference/ops_breadth.json, written by ops_breadth.py) including output dtypes
// and grad_fn names; gradcheck + gradgradcheck for every differentiable op; error messages;
// module printing as PyTorch prints it.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <gradflow/nn/activation.hpp>
#include <map>
#include <set>

#include "support/errors.hpp"
#include "support/op_check.hpp"

using namespace gf;
using namespace gf::test;
namespace F = gf::nn::functional;

namespace {

// The op table shared with tests/reference/ops_breadth.py.
const std::map<std::string, OpFn>& ops() {
  auto u = [](Tensor (*f)(const Tensor&)) { return [f](const Inputs& x) { return f(x[0]); }; };
  auto b = [](Tensor (*f)(const Tensor&, const Tensor&)) {
    return [f](const Inputs& x) { return f(x[0], x[1]); };
  };
  static const std::map<std::string, OpFn> table = {
      {"sin", u(gf::sin)},
      {"cos", u(gf::cos)},
      {"tan", u(gf::tan)},
      {"asin", u(gf::asin)},
      {"acos", u(gf::acos)},
      {"atan", u(gf::atan)},
      {"sinh", u(gf::sinh)},
      {"cosh", u(gf::cosh)},
      {"asinh", u(gf::asinh)},
      {"acosh", u(gf::acosh)},
      {"atanh", u(gf::atanh)},
      {"exp2", u(gf::exp2)},
      {"expm1", u(gf::expm1)},
      {"log2", u(gf::log2)},
      {"log10", u(gf::log10)},
      {"log1p", u(gf::log1p)},
      {"rsqrt", u(gf::rsqrt)},
      {"reciprocal", u(gf::reciprocal)},
      {"square", u(gf::square)},
      {"sign", u(gf::sign)},
      {"floor", u(gf::floor)},
      {"ceil", u(gf::ceil)},
      {"round", u(gf::round)},
      {"trunc", u(gf::trunc)},
      {"frac", u(gf::frac)},
      {"erf", u(gf::erf)},
      {"erfc", u(gf::erfc)},
      {"fmod_scalar", [](const Inputs& x) { return gf::fmod(x[0], 1.5); }},
      {"remainder_scalar", [](const Inputs& x) { return gf::remainder(x[0], -1.5); }},
      {"clamp_min", [](const Inputs& x) { return gf::clamp_min(x[0], -0.5); }},
      {"clamp_max", [](const Inputs& x) { return gf::clamp_max(x[0], 0.5); }},
      {"clamp_tensor", [](const Inputs& x) { return gf::clamp(x[0], x[1], x[2]); }},
      {"atan2", b(gf::atan2)},
      {"pow_tensor", [](const Inputs& x) { return gf::pow(x[0], x[1]); }},
      {"fmod", [](const Inputs& x) { return gf::fmod(x[0], x[1]); }},
      {"remainder", [](const Inputs& x) { return gf::remainder(x[0], x[1]); }},
      {"maximum", b(gf::maximum)},
      {"minimum", b(gf::minimum)},
      {"logical_and", b(gf::logical_and)},
      {"logical_or", b(gf::logical_or)},
      {"logical_xor", b(gf::logical_xor)},
      {"logical_not", u(gf::logical_not)},
      {"bitwise_and", [](const Inputs& x) { return x[0] & x[1]; }},
      {"bitwise_or", [](const Inputs& x) { return x[0] | x[1]; }},
      {"bitwise_xor", [](const Inputs& x) { return x[0] ^ x[1]; }},
      {"bitwise_not", [](const Inputs& x) { return ~x[0]; }},
      {"isnan", u(gf::isnan)},
      {"isinf", u(gf::isinf)},
      {"isfinite", u(gf::isfinite)},
      {"leaky_relu", [](const Inputs& x) { return F::leaky_relu(x[0]); }},
      {"leaky_relu_0.2",
       [](const Inputs& x) {
         return F::leaky_relu(x[0], F::LeakyReLUFuncOptions().negative_slope(0.2));
       }},
      {"elu", [](const Inputs& x) { return F::elu(x[0]); }},
      {"elu_0.5", [](const Inputs& x) { return F::elu(x[0], F::ELUFuncOptions().alpha(0.5)); }},
      {"selu", [](const Inputs& x) { return F::selu(x[0]); }},
      {"celu", [](const Inputs& x) { return F::celu(x[0]); }},
      {"celu_2", [](const Inputs& x) { return F::celu(x[0], F::CELUFuncOptions().alpha(2.0)); }},
      {"gelu", [](const Inputs& x) { return F::gelu(x[0]); }},
      {"gelu_tanh",
       [](const Inputs& x) { return F::gelu(x[0], F::GELUFuncOptions().approximate("tanh")); }},
      {"silu", [](const Inputs& x) { return F::silu(x[0]); }},
      {"mish", [](const Inputs& x) { return F::mish(x[0]); }},
      {"softplus", [](const Inputs& x) { return F::softplus(x[0]); }},
      {"softplus_2_1",
       [](const Inputs& x) {
         return F::softplus(x[0], F::SoftplusFuncOptions().beta(2.0).threshold(1.0));
       }},
      {"softsign", [](const Inputs& x) { return F::softsign(x[0]); }},
      {"hardtanh", [](const Inputs& x) { return F::hardtanh(x[0]); }},
      {"hardtanh_-0.5_2",
       [](const Inputs& x) {
         return F::hardtanh(x[0], F::HardtanhFuncOptions().min_val(-0.5).max_val(2.0));
       }},
      {"hardsigmoid", [](const Inputs& x) { return F::hardsigmoid(x[0]); }},
      {"hardswish", [](const Inputs& x) { return F::hardswish(x[0]); }},
      {"relu6", [](const Inputs& x) { return F::relu6(x[0]); }},
      {"logsigmoid", [](const Inputs& x) { return F::logsigmoid(x[0]); }},
      {"prelu", [](const Inputs& x) { return F::prelu(x[0], x[1]); }},
      {"prelu_single", [](const Inputs& x) { return F::prelu(x[0], x[1]); }},
      {"glu", [](const Inputs& x) { return F::glu(x[0]); }},
      {"glu_dim0", [](const Inputs& x) { return F::glu(x[0], 0); }},
  };
  return table;
}

const nlohmann::json& reference() {
  static const nlohmann::json j = [] {
    std::ifstream in(std::string(GF_REFERENCE_DIR) + "/ops_breadth.json");
    return nlohmann::json::parse(in);
  }();
  return j;
}

}  // namespace

TEST(OpsBreadth, AgreesWithTorchInFloat32AndFloat64) {
  int checked = 0;
  std::set<std::string> seen;
  for (const auto& c : reference().at("cases")) {
    const std::string op = c.at("op");
    ASSERT_TRUE(ops().count(op)) << "no table entry for " << op;
    seen.insert(op);
    bool f32 = c["inputs"][0].value("dtype", "") == "float32";
    double rtol = f32 ? 2e-5 : 1e-10, atol = f32 ? 2e-6 : 1e-12;
    EXPECT_TRUE(check_reference(ops().at(op), c, rtol, atol));
    // dtype and grad_fn name
    Inputs xs = json_inputs(c);
    Tensor out = ops().at(op)(xs);
    EXPECT_EQ(dtype_name(out.dtype()), "torch." + c["output"]["dtype"].get<std::string>())
        << c["name"];
    EXPECT_EQ(out.grad_fn_name(), c.value("grad_fn", std::string())) << c["name"];
    ++checked;
  }
  EXPECT_GT(checked, 200);
  EXPECT_EQ(seen.size(), ops().size());  // every op of the table has a torch reference
}

// Every differentiable op: first and second derivatives against finite differences (float64).
TEST(OpsBreadth, GradcheckAndGradgradcheck) {
  auto fn = [](const std::string& op) { return ops().at(op); };
  std::vector<OpCase> cases;
  auto smooth = [&](const std::string& op, double lo, double hi) {
    cases.push_back({op, fn(op), {{2, 3}}, uniform(lo, hi)});
  };
  auto kinked = [&](const std::string& op, std::vector<double> kinks, double lo = -2,
                    double hi = 2) {
    InputGen gen = [=](const Shape& shape, std::size_t, Generator& g) {
      std::vector<double> v(shape.numel());
      for (double& x : v) {
        bool near;
        do {
          x = lo + (hi - lo) * g.uniform();
          near = false;
          for (double k : kinks) near = near || std::fabs(x - k) < 0.05;
        } while (near);
      }
      return tensor(v, shape, DType::Float64);
    };
    cases.push_back({op, fn(op), {{2, 3}}, gen});
  };
  smooth("sin", -3, 3), smooth("cos", -3, 3), smooth("tan", -1.2, 1.2);
  smooth("asin", -0.9, 0.9), smooth("acos", -0.9, 0.9), smooth("atan", -3, 3);
  smooth("sinh", -2, 2), smooth("cosh", -2, 2), smooth("asinh", -3, 3);
  smooth("acosh", 1.3, 4), smooth("atanh", -0.9, 0.9), smooth("exp2", -2, 2);
  smooth("expm1", -2, 2), smooth("log2", 0.3, 4), smooth("log10", 0.3, 4);
  smooth("rsqrt", 0.3, 4), smooth("reciprocal", 0.3, 3), smooth("erf", -2, 2);
  smooth("erfc", -2, 2);
  kinked("floor", {-2, -1, 0, 1, 2}), kinked("ceil", {-2, -1, 0, 1, 2});
  kinked("round", {-1.5, -0.5, 0.5, 1.5}), kinked("trunc", {-2, -1, 0, 1, 2});
  kinked("frac", {-2, -1, 0, 1, 2}), kinked("sign", {0});
  kinked("fmod_scalar", {-1.5, 0, 1.5}), kinked("remainder_scalar", {-1.5, 0, 1.5});
  kinked("clamp_min", {-0.5}), kinked("clamp_max", {0.5});
  kinked("leaky_relu_0.2", {0}), kinked("elu_0.5", {0}), kinked("selu", {0});
  kinked("celu_2", {0}), smooth("gelu", -3, 3), smooth("gelu_tanh", -3, 3);
  smooth("silu", -4, 4), smooth("mish", -4, 4), smooth("softplus", -4, 4);
  kinked("softplus_2_1", {0.5}), kinked("softsign", {0}, -4, 4);
  kinked("hardtanh_-0.5_2", {-0.5, 2}), kinked("hardsigmoid", {-3, 3}, -4, 4);
  kinked("hardswish", {-3, 3}, -4, 4), kinked("relu6", {0, 6}, -2, 8);
  smooth("logsigmoid", -5, 5);
  cases.push_back({"glu", fn("glu"), {{2, 4}}});
  cases.push_back({"glu_dim0", fn("glu_dim0"), {{4, 3}}});
  cases.push_back({"atan2", fn("atan2"), {{2, 3}, {3}}, uniform(0.3, 2)});
  cases.push_back({"pow_tensor", fn("pow_tensor"), {{2, 3}, {3}}, uniform(0.3, 2)});
  cases.push_back({"maximum", fn("maximum"), {{2, 3}, {3}}});
  cases.push_back({"minimum", fn("minimum"), {{2, 3}, {3}}});
  cases.push_back({"fmod", fn("fmod"), {{2, 3}, {3}}, uniform(0.7, 3.3)});
  cases.push_back({"remainder", fn("remainder"), {{2, 3}, {3}}, uniform(0.7, 3.3)});
  cases.push_back(
      {"prelu", fn("prelu"), {{2, 3, 2}, {3}}, [](const Shape& s, std::size_t i, Generator& g) {
         if (i == 1) return uniform(0.05, 0.5)(s, i, g);
         Tensor sign =
             where(gt(uniform(0, 1)(s, i, g), 0.5), scalar_tensor(1.0), scalar_tensor(-1.0));
         return uniform(0.1, 2)(s, i, g) * sign;  // at least 0.1 from the kink
       }});
  cases.push_back({"clamp_tensor",
                   fn("clamp_tensor"),
                   {{2, 3}, {3}, {3}},
                   [](const Shape& s, std::size_t i, Generator& g) {
                     if (i == 1) return full(s, -0.5, DType::Float64);
                     if (i == 2) return tensor({0.5, 0.5, -1.0}, s, DType::Float64);
                     Tensor x = uniform(-2, 2)(s, i, g);
                     return where(lt(abs(abs(x) - 0.5), 0.05), x + 0.2, x);
                   }});
  for (const OpCase& c : cases) EXPECT_TRUE(check_gradients(c));
  EXPECT_GE(cases.size(), 55u);
}

TEST(OpsBreadth, IntegerAndBoolDtypes) {
  Tensor i = tensor({-7, -3, 0, 2, 5}, DType::Int64);
  EXPECT_EQ(sin(i).dtype(), DType::Float32);  // promoted, like torch
  EXPECT_EQ(floor(i).dtype(), DType::Int64);  // kept
  EXPECT_EQ(fmod(i, 2.0).dtype(), DType::Int64);
  EXPECT_EQ(fmod(i, 2.5).dtype(), DType::Float32);
  EXPECT_EQ(remainder(tensor({1, 2}, DType::UInt8), 2.0).dtype(), DType::UInt8);
  EXPECT_EQ(bitwise_and(tensor({1, 0}, DType::Bool), tensor({1, 1}, DType::Bool)).dtype(),
            DType::Bool);
  EXPECT_EQ(logical_and(i, i).dtype(), DType::Bool);
  EXPECT_EQ(clamp_min(i, 0).dtype(), DType::Int64);
  EXPECT_TRUE(check_values(clamp_min(i, 0), {0, 0, 0, 2, 5}));
  EXPECT_EQ(F::leaky_relu(i).dtype(), DType::Float32);
  EXPECT_TRUE(check_values(!tensor({1, 0}, DType::Bool), {0, 1}));
}

TEST(OpsBreadth, ErrorsNameTheOpAndTheValues) {
  auto has = [](const std::string& m, std::initializer_list<const char*> parts) {
    for (const char* p : parts)
      if (m.find(p) == std::string::npos) return ::testing::AssertionFailure() << m;
    return ::testing::AssertionSuccess();
  };
  Tensor f = ones({2}), i = tensor({1, 2}, DType::Int64);
  EXPECT_TRUE(has(error_of([&] { bitwise_and(f, f); }), {"bitwise_and", "'Float'"}));
  EXPECT_TRUE(has(error_of([&] { bitwise_not(f); }), {"bitwise_not", "'Float'"}));
  EXPECT_TRUE(has(error_of([&] { frac(i); }), {"frac", "'Long'"}));
  EXPECT_TRUE(has(error_of([&] { fmod(i, 0.0); }), {"fmod", "ZeroDivisionError"}));
  EXPECT_TRUE(has(error_of([&] {
                    remainder(i, tensor({1, 0}, DType::Int64));
                  }),
                  {"remainder", "ZeroDivisionError", "element 1"}));
  EXPECT_TRUE(has(error_of([&] { atan2(ones({2}), ones({3})); }), {"atan2", "[2]", "[3]"}));
  EXPECT_TRUE(has(error_of([&] { F::glu(ones({2, 3})); }), {"glu", "even", "size 3"}));
  EXPECT_TRUE(has(error_of([&] { F::gelu(f, F::GELUFuncOptions().approximate("fast")); }),
                  {"gelu", "'fast'"}));
  EXPECT_TRUE(has(error_of([&] {
                    F::prelu(ones({2, 3}), ones({2}));
                  }),
                  {"prelu", "parameter numbers = 2", "channel size = 3"}));
  EXPECT_TRUE(has(error_of([&] { F::hardtanh(f, F::HardtanhFuncOptions().min_val(2).max_val(1)); }),
                  {"hardtanh", "max_val (1)", "min_val (2)"}));
  Tensor w = ones({2}).requires_grad_();
  EXPECT_TRUE(has(error_of([&] { F::leaky_relu(w, F::LeakyReLUFuncOptions().inplace(true)); }),
                  {"leaky_relu", "inplace=true", "requires grad"}));
}

TEST(OpsBreadth, InplaceActivationsWriteTheInput) {
  Tensor x = tensor({-2, 0.5, 3}, DType::Float32);
  Tensor y = F::leaky_relu(x, F::LeakyReLUFuncOptions().negative_slope(0.5).inplace(true));
  EXPECT_EQ(y.impl_ptr(), x.impl_ptr());
  EXPECT_TRUE(check_values(x, {-1, 0.5, 3}));
  F::relu6(x, true);
  EXPECT_TRUE(check_values(x, {0, 0.5, 3}));
}

TEST(OpsBreadth, ActivationModulesPrintLikePyTorch) {
  using namespace gf::nn;
  std::vector<std::pair<std::shared_ptr<Module>, std::string>> expect = {
      {std::make_shared<LeakyReLU>(), "LeakyReLU(negative_slope=0.01)"},
      {std::make_shared<LeakyReLU>(LeakyReLUOptions().negative_slope(0.2).inplace(true)),
       "LeakyReLU(negative_slope=0.2, inplace=True)"},
      {std::make_shared<ELU>(), "ELU(alpha=1.0)"},
      {std::make_shared<ELU>(ELUOptions().alpha(0.5)), "ELU(alpha=0.5)"},
      {std::make_shared<SELU>(), "SELU()"},
      {std::make_shared<SELU>(true), "SELU(inplace=True)"},
      {std::make_shared<CELU>(), "CELU(alpha=1.0)"},
      {std::make_shared<GELU>(), "GELU(approximate='none')"},
      {std::make_shared<GELU>(GELUOptions().approximate("tanh")), "GELU(approximate='tanh')"},
      {std::make_shared<SiLU>(), "SiLU()"},
      {std::make_shared<Mish>(), "Mish()"},
      {std::make_shared<Softplus>(), "Softplus(beta=1, threshold=20)"},
      {std::make_shared<Softsign>(), "Softsign()"},
      {std::make_shared<Hardtanh>(), "Hardtanh(min_val=-1.0, max_val=1.0)"},
      {std::make_shared<Hardsigmoid>(), "Hardsigmoid()"},
      {std::make_shared<Hardswish>(), "Hardswish()"},
      {std::make_shared<ReLU6>(), "ReLU6()"},
      {std::make_shared<LogSigmoid>(), "LogSigmoid()"},
      {std::make_shared<PReLU>(), "PReLU(num_parameters=1)"},
      {std::make_shared<PReLU>(PReLUOptions().num_parameters(3)), "PReLU(num_parameters=3)"},
      {std::make_shared<GLU>(), "GLU(dim=-1)"},
  };
  for (auto& [m, text] : expect) EXPECT_EQ(m->repr(), text);
}

TEST(OpsBreadth, ActivationModulesForwardTheirFunction) {
  using namespace gf::nn;
  Tensor x = tensor({-2, -0.5, 0.5, 2}, {1, 4}, DType::Float64);
  EXPECT_TRUE(allclose(LeakyReLU(LeakyReLUOptions().negative_slope(0.1))(x),
                       F::leaky_relu(x, F::LeakyReLUFuncOptions().negative_slope(0.1))));
  EXPECT_TRUE(allclose(GELU(GELUOptions().approximate("tanh"))(x),
                       F::gelu(x, F::GELUFuncOptions().approximate("tanh"))));
  EXPECT_TRUE(allclose(GLU()(x), F::glu(x)));
  PReLU p(PReLUOptions().num_parameters(4).init(0.1));
  auto sd = p.state_dict();
  ASSERT_EQ(sd.size(), 1u);
  EXPECT_EQ(sd[0].first, "weight");
  EXPECT_TRUE(check_values(p.weight, {0.1, 0.1, 0.1, 0.1}, {4}, 1e-7, 0));
  Tensor y = p(x.to(DType::Float32));
  sum(y).backward();
  EXPECT_TRUE(check_values(p.weight.grad(), {-2, -0.5, 0, 0}));  // x where x <= 0
}
