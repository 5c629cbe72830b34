// Agreement with PyTorch 1.13 on a few hundred random expressions (tests/reference/
// torch_agreement.py writes the cases, inputs included): values, gradients, Jacobians, Hessians,
// vjp/jvp/hvp and losses in every reduction. Each case is a small expression tree that the
// interpreter below evaluates with gradflow's ops.
//
// Tolerance: |gradflow - torch| <= rtol * max(|torch|, max |torch| over the tensor, 1), with
// rtol = 1e-10 in float64 and 1e-5 in float32 (relative, measured against the tensor's scale so
// that elements produced by cancellation are not held to a tighter bound than their inputs).
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <gradflow/gradflow.hpp>
#include <gradflow/nn/functional.hpp>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

using namespace gf;
using json = nlohmann::json;
namespace F = gf::nn::functional;
using Env = std::map<std::string, Tensor>;

namespace {

const json& cases() {
  static const json data = [] {
    std::ifstream in(std::string(GF_REFERENCE_DIR) + "/torch_agreement.json");
    if (!in) throw std::runtime_error("cannot open tests/reference/torch_agreement.json");
    return json::parse(in);
  }();
  return data.at("cases");
}

DType dtype_from(const std::string& s) {
  return s == "float32" ? DType::Float32 : s == "int64" ? DType::Int64 : DType::Float64;
}

Shape shape_from(const json& j) { return Shape(j.get<std::vector<int64_t>>()); }

Tensor tensor_from(const json& j, DType dtype) {
  return tensor(j.at("data").get<std::vector<double>>(), shape_from(j.at("shape")), dtype);
}

nn::Reduction reduction_from(const std::string& s) {
  return s == "none" ? nn::Reduction::None : s == "sum" ? nn::Reduction::Sum : nn::Reduction::Mean;
}

// The interpreter for the expression trees of torch_agreement.py (grammar in its docstring).
Tensor eval(const json& e, const Env& env) {
  if (e.is_string()) return env.at(e.get<std::string>());
  const std::string op = e.at(0).get<std::string>();
  auto ev = [&](int i) { return eval(e.at(i), env); };
  auto num = [&](int i) { return e.at(i).get<double>(); };
  auto integer = [&](int i) { return e.at(i).get<int64_t>(); };
  auto flag = [&](int i) { return e.at(i).get<bool>(); };
  auto list = [&](const json& xs) {
    std::vector<Tensor> out;
    for (const json& x : xs) out.push_back(eval(x, env));
    return out;
  };
  if (op == "add") return add(ev(1), ev(2));
  if (op == "sub") return sub(ev(1), ev(2));
  if (op == "mul") return mul(ev(1), ev(2));
  if (op == "div") return div(ev(1), ev(2));
  if (op == "adds") return ev(1) + num(2);
  if (op == "muls") return ev(1) * num(2);
  if (op == "rsubs") return num(2) - ev(1);
  if (op == "rdivs") return num(2) / ev(1);
  if (op == "neg") return neg(ev(1));
  if (op == "exp") return exp(ev(1));
  if (op == "log") return log(ev(1));
  if (op == "sqrt") return sqrt(ev(1));
  if (op == "abs") return abs(ev(1));
  if (op == "relu") return relu(ev(1));
  if (op == "sigmoid") return sigmoid(ev(1));
  if (op == "tanh") return tanh(ev(1));
  if (op == "pow") return pow(ev(1), num(2));
  if (op == "powt") return pow(ev(1), ev(2));
  if (op == "clamp") return clamp(ev(1), num(2), num(3));
  if (op == "where_gt") return where(gt(ev(1), ev(2)), ev(3), ev(4));
  if (op == "sum") return sum(ev(1));
  if (op == "sum_dim") return sum(ev(1), integer(2), flag(3));
  if (op == "mean") return mean(ev(1));
  if (op == "mean_dim") return mean(ev(1), integer(2), flag(3));
  if (op == "max") return max(ev(1));
  if (op == "max_dim") return max(ev(1), integer(2), flag(3));
  if (op == "logsumexp") return logsumexp(ev(1), integer(2), flag(3));
  if (op == "softmax") return softmax(ev(1), integer(2));
  if (op == "log_softmax") return log_softmax(ev(1), integer(2));
  if (op == "transpose") return transpose(ev(1), integer(2), integer(3));
  if (op == "permute") return permute(ev(1), shape_from(e.at(2)));
  if (op == "reshape") return reshape(ev(1), shape_from(e.at(2)));
  if (op == "flatten") return flatten(ev(1));
  if (op == "unsqueeze") return unsqueeze(ev(1), integer(2));
  if (op == "squeeze") return squeeze(ev(1), integer(2));
  if (op == "expand") return expand(ev(1), shape_from(e.at(2)));
  if (op == "slice") return slice(ev(1), integer(2), integer(3), integer(4), integer(5));
  if (op == "select") return select(ev(1), integer(2), integer(3));
  if (op == "matmul") return matmul(ev(1), ev(2));
  if (op == "outer") return outer(ev(1), ev(2));
  if (op == "dot") return dot(ev(1), ev(2));
  if (op == "cat") return cat(list(e.at(1)), integer(2));
  if (op == "stack") return stack(list(e.at(1)), integer(2));
  if (op == "gather") return gather(ev(1), integer(2), ev(3));
  if (op == "index_select") return index_select(ev(1), integer(2), ev(3));
  if (op == "linear") return F::linear(ev(1), ev(2), e.size() > 3 ? ev(3) : Tensor());
  auto red = [&] { return reduction_from(e.at(3).get<std::string>()); };
  if (op == "cross_entropy") return F::cross_entropy(ev(1), ev(2), red());
  if (op == "nll_loss") return F::nll_loss(ev(1), ev(2), red());
  if (op == "mse_loss") return F::mse_loss(ev(1), ev(2), red());
  if (op == "bce_logits") return F::binary_cross_entropy_with_logits(ev(1), ev(2), red());
  throw std::runtime_error("torch_agreement: unknown op " + op);
}

struct Case {
  const json& j;
  DType dtype;
  double rtol;
  Env inputs;  // leaves; those marked requires_grad in the file require grad
  explicit Case(const json& c)
      : j(c), dtype(dtype_from(c.at("dtype"))), rtol(dtype == DType::Float32 ? 1e-5 : 1e-10) {
    for (auto& [name, in] : c.at("inputs").items()) {
      Tensor t = tensor_from(in, dtype_from(in.at("dtype")));
      if (in.at("requires_grad").get<bool>()) t.requires_grad_();
      inputs[name] = t;
    }
  }
};

double g_worst_ratio = 0;  // largest |error| / tolerance seen (reported, to show the margin)

// "" when `actual` matches the expected shape and values, else the worst element.
std::string compare(const Tensor& actual, const Shape& shape, const std::vector<double>& expected,
                    double rtol) {
  std::ostringstream out;
  if (actual.sizes() != shape) {
    out << "shape " << actual.sizes() << ", torch " << shape;
    return out.str();
  }
  auto a = actual.tolist();
  double scale = 1;
  for (double v : expected) scale = std::max(scale, std::fabs(v));
  double worst = 0;
  std::size_t at = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    double tol = rtol * std::max(std::fabs(expected[i]), scale);
    double excess = std::fabs(a[i] - expected[i]) - tol;
    g_worst_ratio = std::max(g_worst_ratio, std::fabs(a[i] - expected[i]) / tol);
    if (!(excess <= worst)) {  // also catches NaN
      worst = std::isnan(excess) ? INFINITY : excess;
      at = i;
    }
  }
  if (worst > 0) {
    out.precision(17);
    out << "element " << at << ": gradflow " << a[at] << ", torch " << expected[at]
        << " (tolerance " << rtol * std::max(std::fabs(expected[at]), scale) << ")";
  }
  return out.str();
}

std::string compare(const Tensor& actual, const json& expected, double rtol) {
  return compare(actual, shape_from(expected.at("shape")),
                 expected.at("data").get<std::vector<double>>(), rtol);
}

// Runs fn on every case of `kind`, turning exceptions and mismatches into one failure per case.
template <class Fn>
void for_each_case(const std::string& kind, Fn fn) {
  int count = 0;
  g_worst_ratio = 0;
  for (std::size_t i = 0; i < cases().size(); ++i) {
    const json& c = cases()[i];
    if (c.at("kind") != kind) continue;
    ++count;
    std::vector<std::string> problems;
    try {
      Case cs(c);
      fn(cs, problems);
    } catch (const std::exception& ex) {
      problems.push_back(std::string("threw: ") + ex.what());
    }
    for (const std::string& p : problems)
      ADD_FAILURE() << "case " << i << " (" << c.at("dtype").get<std::string>() << ") "
                    << c.at("expr").dump() << ": " << p;
  }
  std::cout << kind << ": " << count << " cases, worst error = " << g_worst_ratio
            << " x tolerance\n";
  EXPECT_GE(count, 40) << "too few " << kind << " cases in torch_agreement.json";
}

}  // namespace

TEST(TorchAgreement, ValuesAndGradients) {
  for_each_case("grad", [](Case& cs, std::vector<std::string>& problems) {
    Tensor out = eval(cs.j.at("expr"), cs.inputs);
    if (auto p = compare(out, cs.j.at("out"), cs.rtol); !p.empty())
      problems.push_back("value " + p);
    std::vector<std::string> names;
    std::vector<Tensor> wrt;
    for (auto& [name, t] : cs.inputs)
      if (t.requires_grad()) {
        names.push_back(name);
        wrt.push_back(t);
      }
    std::vector<Tensor> grads(wrt.size());
    if (out.requires_grad())
      grads = autograd::grad({out}, wrt, {tensor_from(cs.j.at("gout"), out.dtype())}, false, false,
                             /*allow_unused=*/true);
    for (std::size_t k = 0; k < wrt.size(); ++k) {
      Tensor g = grads[k].defined() ? grads[k] : zeros_like(wrt[k]);
      auto p = compare(g, wrt[k].sizes(), cs.j.at("grads").at(names[k]).get<std::vector<double>>(),
                       cs.rtol);
      if (!p.empty()) problems.push_back("gradient of " + names[k] + ": " + p);
    }
  });
}

TEST(TorchAgreement, JacobiansVjpJvp) {
  for_each_case("jacobian", [](Case& cs, std::vector<std::string>& problems) {
    const std::string wrt = cs.j.at("wrt");
    Env constants = cs.inputs;
    for (auto& [name, t] : constants) t = t.detach();
    auto f = [&](const Tensor& x) {
      Env local = constants;
      local[wrt] = x;
      return eval(cs.j.at("expr"), local);
    };
    Tensor x = constants.at(wrt);
    if (auto p = compare(autograd::jacobian(f, x), cs.j.at("jacobian"), cs.rtol); !p.empty())
      problems.push_back("jacobian " + p);
    auto [y, vj] = autograd::vjp(f, x, tensor_from(cs.j.at("u"), cs.dtype));
    if (auto p = compare(y, cs.j.at("out"), cs.rtol); !p.empty()) problems.push_back("value " + p);
    if (auto p = compare(vj, x.sizes(), cs.j.at("vjp").get<std::vector<double>>(), cs.rtol);
        !p.empty())
      problems.push_back("vjp " + p);
    auto [y2, jv] = autograd::jvp(f, x, tensor_from(cs.j.at("v"), cs.dtype));
    if (auto p = compare(jv, y2.sizes(), cs.j.at("jvp").get<std::vector<double>>(), cs.rtol);
        !p.empty())
      problems.push_back("jvp " + p);
  });
}

TEST(TorchAgreement, HessiansAndHvp) {
  for_each_case("hessian", [](Case& cs, std::vector<std::string>& problems) {
    const std::string wrt = cs.j.at("wrt");
    Env constants = cs.inputs;
    for (auto& [name, t] : constants) t = t.detach();
    auto f = [&](const Tensor& x) {
      Env local = constants;
      local[wrt] = x;
      return sum(eval(cs.j.at("expr"), local));
    };
    Tensor x = constants.at(wrt);
    if (auto p = compare(autograd::hessian(f, x), cs.j.at("hessian"), cs.rtol); !p.empty())
      problems.push_back("hessian " + p);
    auto [y, hv] = autograd::hvp(f, x, tensor_from(cs.j.at("v"), cs.dtype));
    if (auto p = compare(y, cs.j.at("out"), cs.rtol); !p.empty()) problems.push_back("value " + p);
    if (auto p = compare(hv, x.sizes(), cs.j.at("hvp").get<std::vector<double>>(), cs.rtol);
        !p.empty())
      problems.push_back("hvp " + p);
  });
}

TEST(TorchAgreement, CoversEveryReductionOfEveryLoss) {
  std::map<std::string, int> seen;
  std::function<void(const json&)> walk = [&](const json& e) {
    if (!e.is_array() || e.empty() || !e.at(0).is_string()) return;
    const std::string op = e.at(0);
    if (op == "cross_entropy" || op == "nll_loss" || op == "mse_loss" || op == "bce_logits")
      ++seen[op + "/" + e.at(3).get<std::string>()];
    for (std::size_t i = 1; i < e.size(); ++i) walk(e.at(i));
  };
  for (const json& c : cases()) walk(c.at("expr"));
  for (const char* red : {"none", "mean", "sum"})
    EXPECT_GE(seen[std::string("cross_entropy/") + red], 3) << red;
}
