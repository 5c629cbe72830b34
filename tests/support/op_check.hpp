// One table-driven helper for testing differentiable ops (STYLE.md item 7): forward against
// reference numbers, backward against finite differences (gradcheck + gradgradcheck, float64).
//
//   using namespace gf::test;
//   std::vector<OpCase> cases = {
//       {"mul broadcast", [](const Inputs& x) { return x[0] * x[1]; }, {{2, 3}, {3}}},
//       {"log", [](const Inputs& x) { return gf::log(x[0]); }, {{4}}, uniform(0.5, 2)},
//       {"relu", [](const Inputs& x) { return gf::relu(x[0]); }, {{5}}, away_from(0, 0.1)},
//   };
//   for (const OpCase& c : cases) EXPECT_TRUE(check_gradients(c));
//   EXPECT_TRUE(check_values(gf::sigmoid(x), {0.5, 0.7310585786300049}));
//   // PyTorch golden data (tests/reference/*.py writes it; format below):
//   for (auto& c : json["cases"]) EXPECT_TRUE(check_reference(ops.at(c["op"]), c));
//
// check_gradients(c): builds one Float64 input per entry of c.shapes with c.gen (seeded, so runs
//   repeat), marks those in c.differentiable (all by default) as requiring grad, and runs
//   autograd::gradcheck and (unless c.gradgrad is false) autograd::gradgradcheck on c.fn. The
//   failure message names the case and carries gradcheck's worst-element report.
// check_values(got, expected[, shape, rtol, atol]): every element |got - want| <= atol + rtol|want|
//   (NaN matches NaN, inf matches the same inf); also checks the shape when one is given.
// check_reference(fn, case[, rtol, atol]): one case of a reference JSON file:
//   {"op": "<name>", "inputs": [{"shape": [2, 3], "dtype": "float64", "values": [...],
//     "requires_grad": true}, ...],
//    "output": {"shape": [...], "values": [...]},
//    "grad_output": {"shape": [...], "values": [...]},          (optional; ones by default)
//    "grads": [{"shape": [...], "values": [...]} or null, ...]}  (optional; per input)
//   Values are numbers or the strings "nan", "inf", "-inf". Runs fn on the inputs, compares the
//   output, then backward(grad_output) and compares each input's gradient.
#pragma once
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <functional>
#include <gradflow/gradflow.hpp>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

namespace gf::test {

using Inputs = std::vector<Tensor>;
using OpFn = std::function<Tensor(const Inputs&)>;
// Makes the Float64 input number `index` of `shape` from a seeded generator.
using InputGen = std::function<Tensor(const Shape& shape, std::size_t index, Generator& gen)>;

// Uniform in [lo, hi).
inline InputGen uniform(double lo, double hi) {
  return [=](const Shape& shape, std::size_t, Generator& gen) {
    std::vector<double> v(shape.numel());
    for (double& x : v) x = lo + (hi - lo) * gen.uniform();
    return tensor(v, shape, DType::Float64);
  };
}

// Uniform in [lo, hi) but at least `gap` away from `kink` (e.g. relu at 0, abs at 0), so finite
// differences never straddle a point where the derivative jumps.
inline InputGen away_from(double kink, double gap, double lo = -2, double hi = 2) {
  return [=](const Shape& shape, std::size_t, Generator& gen) {
    std::vector<double> v(shape.numel());
    for (double& x : v) {
      do x = lo + (hi - lo) * gen.uniform();
      while (std::fabs(x - kink) < gap);
    }
    return tensor(v, shape, DType::Float64);
  };
}

// Uniform in [lo, hi), at least `gap` away from every kink (clamp's two bounds).
inline InputGen away_from_all(std::vector<double> kinks, double gap, double lo, double hi) {
  return [=](const Shape& shape, std::size_t, Generator& gen) {
    std::vector<double> v(shape.numel());
    auto near = [&](double x) {
      for (double k : kinks)
        if (std::fabs(x - k) < gap) return true;
      return false;
    };
    for (double& x : v) {
      do x = lo + (hi - lo) * gen.uniform();
      while (near(x));
    }
    return tensor(v, shape, DType::Float64);
  };
}

struct OpCase {
  std::string name;
  OpFn fn;
  std::vector<Shape> shapes;  // one per input; broadcasting shapes welcome
  InputGen gen = uniform(-2, 2);
  std::vector<bool> differentiable;  // empty: every input requires grad
  bool gradgrad = true;              // also check second derivatives
  double atol = 1e-5, rtol = 1e-3;   // gradcheck tolerances
  uint64_t seed = 42;
};

inline Inputs make_inputs(const OpCase& c) {
  Generator gen(c.seed);
  Inputs xs;
  for (std::size_t i = 0; i < c.shapes.size(); ++i) {
    Tensor x = c.gen(c.shapes[i], i, gen);
    if (c.differentiable.empty() || c.differentiable[i]) x.requires_grad_();
    xs.push_back(x);
  }
  return xs;
}

inline ::testing::AssertionResult check_gradients(const OpCase& c) {
  Inputs xs = make_inputs(c);
  auto fn = [&](const std::vector<Tensor>& x) { return c.fn(x); };
  auto r = autograd::gradcheck(fn, xs, 1e-6, c.atol, c.rtol);
  if (!r.ok) return ::testing::AssertionFailure() << c.name << ": " << r.report;
  if (c.gradgrad) {
    auto r2 = autograd::gradgradcheck(fn, xs, 1e-6, c.atol, c.rtol);
    if (!r2.ok) return ::testing::AssertionFailure() << c.name << ": " << r2.report;
  }
  return ::testing::AssertionSuccess();
}

inline bool close_value(double got, double want, double rtol, double atol) {
  if (std::isnan(want)) return std::isnan(got);
  if (std::isinf(want)) return got == want;
  return std::fabs(got - want) <= atol + rtol * std::fabs(want);
}

inline ::testing::AssertionResult check_values(const Tensor& got, const std::vector<double>& want,
                                               const Shape& shape = Shape::filled(8, -1),
                                               double rtol = 1e-10, double atol = 1e-12) {
  if (shape != Shape::filled(8, -1) && got.sizes() != shape)
    return ::testing::AssertionFailure() << "shape " << got.sizes() << ", expected " << shape;
  std::vector<double> g = got.tolist();
  if (g.size() != want.size())
    return ::testing::AssertionFailure() << g.size() << " values, expected " << want.size();
  for (std::size_t i = 0; i < g.size(); ++i)
    if (!close_value(g[i], want[i], rtol, atol))
      return ::testing::AssertionFailure()
             << "element " << i << ": got " << g[i] << ", expected " << want[i] << " (rtol " << rtol
             << ", atol " << atol << ")";
  return ::testing::AssertionSuccess();
}

inline double json_number(const nlohmann::json& v) {
  if (v.is_string()) {
    std::string s = v.get<std::string>();
    if (s == "nan") return std::numeric_limits<double>::quiet_NaN();
    if (s == "inf") return std::numeric_limits<double>::infinity();
    if (s == "-inf") return -std::numeric_limits<double>::infinity();
  }
  return v.get<double>();
}

inline std::vector<double> json_values(const nlohmann::json& t) {
  std::vector<double> v;
  for (const auto& x : t.at("values")) v.push_back(json_number(x));
  return v;
}

inline Shape json_shape(const nlohmann::json& t) {
  return Shape(t.at("shape").get<std::vector<int64_t>>());
}

// "bool", "uint8", "int32", "int64", "float32" or "float64" (torch's names without "torch.").
inline DType dtype_from_name(const std::string& d) {
  for (DType t : {DType::Bool, DType::UInt8, DType::Int32, DType::Int64, DType::Float32})
    if ("torch." + d == dtype_name(t)) return t;
  return DType::Float64;
}

inline DType json_dtype(const nlohmann::json& t) {
  return dtype_from_name(t.value("dtype", "float64"));
}

inline Tensor json_tensor(const nlohmann::json& t) {
  return tensor(json_values(t), json_shape(t), json_dtype(t));
}

// A reference case's inputs, each requiring grad where PyTorch's did.
inline Inputs json_inputs(const nlohmann::json& c) {
  Inputs xs;
  for (const auto& in : c.at("inputs")) {
    Tensor x = json_tensor(in);
    if (in.value("requires_grad", false)) x.requires_grad_();
    xs.push_back(x);
  }
  return xs;
}

// tests/reference/<file>, written from PyTorch by the .py of the same name.
inline nlohmann::json load_reference_file(const std::string& file) {
  std::ifstream f(std::string(GF_REFERENCE_DIR) + "/" + file);
  EXPECT_TRUE(f.good()) << "missing tests/reference/" << file;
  return nlohmann::json::parse(f);
}

inline ::testing::AssertionResult check_reference(const OpFn& fn, const nlohmann::json& c,
                                                  double rtol = 1e-10, double atol = 1e-12) {
  std::string name = c.value("name", c.value("op", std::string("case")));
  Inputs xs = json_inputs(c);
  Tensor out = fn(xs);
  const auto& o = c.at("output");
  auto r = check_values(out, json_values(o), json_shape(o), rtol, atol);
  if (!r) return ::testing::AssertionFailure() << name << " output: " << r.message();
  if (!c.contains("grads")) return ::testing::AssertionSuccess();
  Tensor go =
      c.contains("grad_output") ? json_tensor(c["grad_output"]).to(out.dtype()) : ones_like(out);
  out.backward(go);
  const auto& grads = c["grads"];
  for (std::size_t i = 0; i < grads.size(); ++i) {
    if (grads[i].is_null()) continue;
    if (!xs[i].grad().defined())
      return ::testing::AssertionFailure() << name << ": input " << i << " got no gradient";
    auto rg = check_values(xs[i].grad(), json_values(grads[i]), json_shape(grads[i]), rtol, atol);
    if (!rg)
      return ::testing::AssertionFailure()
             << name << " grad of input " << i << ": " << rg.message();
  }
  return ::testing::AssertionSuccess();
}

}  // namespace gf::test
