// Functional derivatives over several inputs (jacobian, hessian, vjp, jvp, hvp, vhp), without and
// with create_graph, against PyTorch's torch.autograd.functional through
// tests/reference/functional_multi.json (functional_multi.py: the same two functions of (x, y)).
// With create_graph the results are reduced to Σ_b (b + 1) sum(block b) and differentiated w.r.t.
// x and y; those gradients exist only if every block kept its graph.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "support/errors.hpp"
#include "support/op_check.hpp"

using namespace gf;
using namespace gf::test;
using ::testing::HasSubstr;

namespace {

// f(x, y) = exp(x) * sum(y * y) + x^3 * y[0, 1]              (shape [3])
Tensor f_vec(const std::vector<Tensor>& in) {
  const Tensor& x = in[0];
  const Tensor& y = in[1];
  return exp(x) * sum(y * y) + x.pow(3) * y.select(0, 0).select(0, 1);
}

// g(x, y) = sum(x^2) * sum(sin(y)) + sum(x^3) + sum(exp(y) * y)   (one element)
Tensor f_scalar(const std::vector<Tensor>& in) {
  const Tensor& x = in[0];
  const Tensor& y = in[1];
  return sum(x.pow(2)) * sum(sin(y)) + sum(x.pow(3)) + sum(exp(y) * y);
}

const nlohmann::json& ref() {
  static const nlohmann::json j = [] {
    std::ifstream f(std::string(GF_REFERENCE_DIR) + "/functional_multi.json");
    EXPECT_TRUE(f.good()) << "missing tests/reference/functional_multi.json";
    return nlohmann::json::parse(f);
  }();
  return j;
}

const nlohmann::json& ref_case(const std::string& name) {
  for (const auto& c : ref()["cases"])
    if (c["name"] == name) return c;
  throw std::runtime_error("no case " + name);
}

// Every block of a result, row-major (torch's nested tuples flattened the same way).
using Blocks = std::vector<Tensor>;
using Run = std::function<Blocks(const std::vector<Tensor>& xy, bool create_graph)>;

std::vector<Tensor> vs() { return {json_tensor(ref()["v"][0]), json_tensor(ref()["v"][1])}; }

const std::map<std::string, Run>& runs() {
  static const std::map<std::string, Run> r = {
      {"jacobian",
       [](const std::vector<Tensor>& xy, bool cg) { return autograd::jacobian(f_vec, xy, cg); }},
      {"hessian",
       [](const std::vector<Tensor>& xy, bool cg) {
         Blocks b;
         for (const auto& row : autograd::hessian(f_scalar, xy, cg))
           for (const Tensor& t : row) b.push_back(t);
         return b;
       }},
      {"vjp",
       [](const std::vector<Tensor>& xy, bool cg) {
         auto [y, g] = autograd::vjp(f_vec, xy, json_tensor(ref()["u"]), cg);
         return Blocks{y, g[0], g[1]};
       }},
      {"jvp",
       [](const std::vector<Tensor>& xy, bool cg) {
         auto [y, jv] = autograd::jvp(f_vec, xy, vs(), cg);
         return Blocks{y, jv};
       }},
      {"hvp",
       [](const std::vector<Tensor>& xy, bool cg) {
         auto [y, hv] = autograd::hvp(f_scalar, xy, vs(), cg);
         return Blocks{y, hv[0], hv[1]};
       }},
      {"vhp",
       [](const std::vector<Tensor>& xy, bool cg) {
         auto [y, vh] = autograd::vhp(f_scalar, xy, vs(), cg);
         return Blocks{y, vh[0], vh[1]};
       }},
  };
  return r;
}

std::vector<Tensor> xy(bool requires_grad) {
  Tensor x = json_tensor(ref()["x"]), y = json_tensor(ref()["y"]);
  if (requires_grad) x.requires_grad_(), y.requires_grad_();
  return {x, y};
}

}  // namespace

TEST(FunctionalMulti, AgreesWithPyTorch) {
  ASSERT_EQ(ref()["cases"].size(), runs().size());
  for (const auto& [name, run] : runs()) {
    SCOPED_TRACE(name);
    const auto& c = ref_case(name);
    Blocks got = run(xy(false), false);
    ASSERT_EQ(got.size(), c["blocks"].size());
    for (std::size_t b = 0; b < got.size(); ++b) {
      EXPECT_TRUE(check_values(got[b], json_values(c["blocks"][b]), json_shape(c["blocks"][b]),
                               1e-10, 1e-12))
          << "block " << b;
      EXPECT_FALSE(got[b].requires_grad()) << "block " << b << " kept a graph without create_graph";
    }
  }
}

TEST(FunctionalMulti, CreateGraphResultsAreDifferentiableLikePyTorch) {
  for (const auto& [name, run] : runs()) {
    SCOPED_TRACE(name);
    const auto& c = ref_case(name);
    std::vector<Tensor> in = xy(true);
    Blocks got = run(in, true);
    Tensor total = zeros({}, DType::Float64);
    for (std::size_t b = 0; b < got.size(); ++b) {
      // the values are those without create_graph
      EXPECT_TRUE(check_values(got[b], json_values(c["blocks"][b]), json_shape(c["blocks"][b]),
                               1e-10, 1e-12))
          << "block " << b;
      total = total + sum(got[b]) * double(b + 1);
    }
    ASSERT_TRUE(total.requires_grad());
    auto g = autograd::grad({total}, in, {}, false, false, /*allow_unused=*/true);
    for (std::size_t i = 0; i < 2; ++i) {
      const auto& want = c["create_graph_grads"][i];
      Tensor gi = g[i].defined() ? g[i] : zeros(in[i].sizes(), DType::Float64);
      EXPECT_TRUE(check_values(gi, json_values(want), json_shape(want), 1e-9, 1e-11))
          << "gradient w.r.t. input " << i;
    }
  }
}

// The one-input forms take create_graph too, and vhp exists: f(x) = sum(x^3), H = diag(6x).
TEST(FunctionalMulti, OneInputFormsTakeCreateGraph) {
  Tensor x = tensor({1.0, -2.0}, DType::Float64).requires_grad_();
  Tensor v = tensor({0.5, 3.0}, DType::Float64);
  auto cube = [](const Tensor& t) { return sum(t.pow(3)); };
  Tensor H = autograd::hessian(cube, x, true);
  EXPECT_TRUE(check_values(H, {6, 0, 0, -12}, Shape{2, 2}));
  // d/dx sum(H) = d/dx Σ 6 x_i = 6
  EXPECT_TRUE(check_values(autograd::grad({sum(H)}, {x})[0], {6, 6}));
  auto [y, vh] = autograd::vhp(cube, x, v, true);
  EXPECT_TRUE(check_values(vh, {3, -36}));                                // 6 x v
  EXPECT_TRUE(check_values(autograd::grad({sum(vh)}, {x})[0], {3, 18}));  // 6 v
  auto [y2, hv] = autograd::hvp(cube, x, v);
  EXPECT_TRUE(check_values(hv, {3, -36}));
  EXPECT_FALSE(hv.requires_grad());
  auto [y3, jv] = autograd::jvp([](const Tensor& t) { return t * t; }, x, v, true);
  EXPECT_TRUE(check_values(jv, {1, -12}));                               // 2 x v
  EXPECT_TRUE(check_values(autograd::grad({sum(jv)}, {x})[0], {1, 6}));  // 2 v
  auto [y4, vj] = autograd::vjp([](const Tensor& t) { return t * t; }, x, v, true);
  EXPECT_TRUE(check_values(autograd::grad({sum(vj)}, {x})[0], {1, 6}));
}

// An input the output does not use gets zero blocks (torch: zeros with strict=False).
TEST(FunctionalMulti, UnusedInputsGetZeros) {
  Tensor x = tensor({1.0, 2.0}, DType::Float64), z = tensor({3.0}, DType::Float64);
  auto f = [](const std::vector<Tensor>& in) { return in[0] * in[0]; };
  auto J = autograd::jacobian(f, {x, z});
  ASSERT_EQ(J.size(), 2u);
  EXPECT_TRUE(check_values(J[0], {2, 0, 0, 4}, Shape{2, 2}));
  EXPECT_TRUE(check_values(J[1], {0, 0}, Shape{2, 1}));
  auto H =
      autograd::hessian([](const std::vector<Tensor>& in) { return sum(in[0] * in[0]); }, {x, z});
  EXPECT_TRUE(check_values(H[0][0], {2, 0, 0, 2}, Shape{2, 2}));
  EXPECT_TRUE(check_values(H[0][1], {0, 0}, Shape{2, 1}));
  EXPECT_TRUE(check_values(H[1][0], {0, 0}, Shape{1, 2}));
  EXPECT_TRUE(check_values(H[1][1], {0}, Shape{1, 1}));
}

TEST(FunctionalMulti, ErrorsNameTheOpAndTheShapes) {
  std::vector<Tensor> in = xy(false);
  EXPECT_THAT(error_of([&] { autograd::hessian(f_vec, in); }),
              HasSubstr("hessian: f must return a tensor with one element, got shape [3]"));
  EXPECT_THAT(error_of([&] { autograd::jvp(f_vec, in, {vs()[0]}); }),
              HasSubstr("jvp: got 1 vectors v for 2 inputs"));
  EXPECT_THAT(error_of([&] {
                autograd::hvp(f_scalar, in, {vs()[1], vs()[0]});
              }),
              HasSubstr("hvp: v[0] has shape [2, 2] but input 0 has shape [3]"));
  EXPECT_THAT(error_of([&] { autograd::vjp(f_vec, in, vs()[1]); }),
              HasSubstr("vjp: v has shape [2, 2] but f(x) has shape [3]"));
  EXPECT_THAT(error_of([&] {
                autograd::jacobian(f_vec, {in[0], tensor({1, 2}, DType::Int64)});
              }),
              HasSubstr("jacobian: input 1 must be floating point, got torch.int64"));
}
