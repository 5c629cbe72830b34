// The cases of tests/reference/nn_functional.json (written by tests/reference/nn_functional.py
// with PyTorch 1.13) and the gradflow call each "op" name stands for. Used by
// test_ops_softmax, test_ops_indexing and test_nn_functional; each runs the ops of its area.
#pragma once
#include <fstream>
#include <set>
#include <string>

#include "support/op_check.hpp"

namespace gf::test {

inline const nlohmann::json& nn_functional_reference() {
  static const nlohmann::json data = [] {
    std::ifstream in(std::string(GF_REFERENCE_DIR) + "/nn_functional.json");
    if (!in) throw std::runtime_error("cannot open tests/reference/nn_functional.json");
    return nlohmann::json::parse(in);
  }();
  return data;
}

inline nn::Reduction reduction_of(const nlohmann::json& c) {
  std::string r = c.value("reduction", std::string("mean"));
  return r == "none" ? nn::Reduction::None : r == "sum" ? nn::Reduction::Sum : nn::Reduction::Mean;
}

// The gradflow function for one reference case.
inline OpFn nn_functional_op(const nlohmann::json& c) {
  namespace F = gf::nn::functional;
  std::string op = c.at("op");
  int64_t dim = c.value("dim", int64_t{0});
  bool keepdim = c.value("keepdim", false);
  nn::Reduction red = reduction_of(c);
  if (op == "softmax") return [=](const Inputs& x) { return softmax(x[0], dim); };
  if (op == "log_softmax") return [=](const Inputs& x) { return log_softmax(x[0], dim); };
  if (op == "logsumexp") return [=](const Inputs& x) { return logsumexp(x[0], dim, keepdim); };
  if (op == "gather") return [=](const Inputs& x) { return gather(x[0], dim, x[1]); };
  if (op == "index_select") return [=](const Inputs& x) { return index_select(x[0], dim, x[1]); };
  if (op == "cat") return [=](const Inputs& x) { return cat(x, dim); };
  if (op == "stack") return [=](const Inputs& x) { return stack(x, dim); };
  if (op == "linear") return [](const Inputs& x) { return F::linear(x[0], x[1], x[2]); };
  if (op == "linear_nobias") return [](const Inputs& x) { return F::linear(x[0], x[1]); };
  if (op == "cross_entropy")
    return [=](const Inputs& x) { return F::cross_entropy(x[0], x[1], red); };
  if (op == "nll_loss") return [=](const Inputs& x) { return F::nll_loss(x[0], x[1], red); };
  if (op == "mse_loss") return [=](const Inputs& x) { return F::mse_loss(x[0], x[1], red); };
  if (op == "binary_cross_entropy_with_logits")
    return [=](const Inputs& x) { return F::binary_cross_entropy_with_logits(x[0], x[1], red); };
  throw std::runtime_error("nn_functional.json: unknown op " + op);
}

// Checks every reference case whose op is in `ops`; returns how many ran.
inline int check_nn_functional_reference(const std::set<std::string>& ops) {
  int n = 0;
  for (const auto& c : nn_functional_reference().at("cases")) {
    if (!ops.count(c.at("op").get<std::string>())) continue;
    EXPECT_TRUE(check_reference(nn_functional_op(c), c, 1e-10, 1e-12));
    ++n;
  }
  return n;
}

}  // namespace gf::test
