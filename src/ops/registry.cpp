// The library's list of ops by name (include/gradflow/op_registry.hpp). Keep it sorted: a test
// (tests/test_op_table.cpp) checks the order and that every entry has a row in the op table.
#include <algorithm>

#include "gradflow/op_registry.hpp"
#include "gradflow/ops.hpp"

namespace gf {

namespace {

// Lambdas rather than &gf::exp: several of these names are overloaded.
constexpr UnaryOp kUnary[] = {
    {"abs", [](const Tensor& x) { return abs(x); }},
    {"exp", [](const Tensor& x) { return exp(x); }},
    {"log", [](const Tensor& x) { return log(x); }},
    {"log1p", [](const Tensor& x) { return log1p(x); }},
    {"neg", [](const Tensor& x) { return neg(x); }},
    {"relu", [](const Tensor& x) { return relu(x); }},
    {"sigmoid", [](const Tensor& x) { return sigmoid(x); }},
    {"sign", [](const Tensor& x) { return sign(x); }},
    {"sqrt", [](const Tensor& x) { return sqrt(x); }},
    {"square", [](const Tensor& x) { return square(x); }},
    {"tanh", [](const Tensor& x) { return tanh(x); }},
};

}  // namespace

std::span<const UnaryOp> unary_ops() { return kUnary; }

UnaryFn unary_by_name(std::string_view name) {
  auto it = std::lower_bound(std::begin(kUnary), std::end(kUnary), name,
                             [](const UnaryOp& op, std::string_view n) { return op.name < n; });
  return it != std::end(kUnary) && it->name == name ? it->fn : nullptr;
}

std::string unary_op_names() {
  std::string r;
  for (const UnaryOp& op : kUnary) r += (r.empty() ? "" : ", ") + std::string(op.name);
  return r;
}

}  // namespace gf
