// Every row of the op table (support/op_table.hpp): gradcheck and gradgradcheck, grad_fn and
// saved-tensor names, show_saved over the whole graph, agreement with PyTorch
// (tests/reference/op_table.json from op_table.py), and the agreement of the table with
// tests/reference/ops.txt and with the library's registry of ops by name.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>

#include "support/op_table.hpp"

using namespace gf;
using namespace gf::test;

namespace {

std::vector<std::string> saved_names(const autograd::Node& n) {
  std::vector<std::string> r;
  for (const auto& [name, t] : n.saved()) r.push_back(name);
  return r;
}

// Every node of out's backward graph (each once).
std::vector<std::shared_ptr<autograd::Node>> graph_of(const Tensor& out) {
  std::vector<std::shared_ptr<autograd::Node>> all, stack{out.grad_fn()};
  std::set<autograd::Node*> seen;
  while (!stack.empty()) {
    auto n = stack.back();
    stack.pop_back();
    if (!n || !seen.insert(n.get()).second) continue;
    all.push_back(n);
    for (const autograd::Edge& e : n->next_edges) stack.push_back(e.fn);
  }
  return all;
}

}  // namespace

TEST(OpTable, NamesAreUnique) {
  std::set<std::string> names;
  for (const OpInfo& row : op_table()) EXPECT_TRUE(names.insert(row.name).second) << row.name;
  EXPECT_GE(names.size(), 70u);
}

TEST(OpTable, GradcheckAndGradgradcheck) {
  for (const OpInfo& row : op_table()) EXPECT_TRUE(check_gradients(op_case(row)));
}

TEST(OpTable, GradFnAndSavedNames) {
  for (const OpInfo& row : op_table()) {
    SCOPED_TRACE(row.name);
    Tensor out = row.fn(make_inputs(row));
    ASSERT_TRUE(out.grad_fn());
    EXPECT_EQ(out.grad_fn_name(), row.grad_fn);
    EXPECT_EQ(saved_names(*out.grad_fn()), row.saved);
  }
}

// show_saved draws Node::saved(): a node that keeps tensors for its backward must show each of
// them under a name, and must not keep a tensor it does not show.
TEST(OpTable, ShowSavedShowsEverySavedTensor) {
  for (const OpInfo& row : op_table()) {
    SCOPED_TRACE(row.name);
    Tensor out = row.fn(make_inputs(row));
    for (const auto& node : graph_of(out)) {
      auto saved = node->saved();
      EXPECT_EQ(node->has_saved, !saved.empty()) << node->name();
      for (const auto& [name, t] : saved) {
        EXPECT_FALSE(name.empty()) << node->name();
        EXPECT_TRUE(t.defined()) << node->name() << " saved " << name;
      }
    }
    // after a backward without retain_graph, every saved tensor is released
    out.backward(ones_like(out));
    for (const auto& node : graph_of(out)) EXPECT_TRUE(node->saved().empty()) << node->name();
  }
}

TEST(OpTable, MatchesOpsTxt) {
  std::ifstream f(std::string(GF_REFERENCE_DIR) + "/ops.txt");
  ASSERT_TRUE(f.good()) << "missing tests/reference/ops.txt";
  std::map<std::string, std::string> lines;
  for (std::string l; std::getline(f, l);)
    if (!l.empty() && l[0] != '#') lines[l.substr(0, l.find(" |"))] = l;
  std::string expected;
  for (const OpInfo& row : op_table()) {
    std::string want = ops_txt_line(row);
    expected += want + "\n";
    auto it = lines.find(row.name);
    if (it == lines.end())
      ADD_FAILURE() << "tests/reference/ops.txt lacks the row; add:\n" << want;
    else
      EXPECT_EQ(it->second, want) << "tests/reference/ops.txt disagrees with op_table.cpp";
  }
  for (const auto& [name, line] : lines) {
    bool known = false;
    for (const OpInfo& row : op_table()) known = known || row.name == name;
    EXPECT_TRUE(known) << "tests/reference/ops.txt has a row the table lacks: " << line;
  }
  if (HasFailure()) std::cout << "---- the table as ops.txt ----\n" << expected;
}

TEST(OpTable, AgreesWithPyTorch) {
  std::ifstream f(std::string(GF_REFERENCE_DIR) + "/op_table.json");
  ASSERT_TRUE(f.good()) << "missing tests/reference/op_table.json (run op_table.py)";
  nlohmann::json ref = nlohmann::json::parse(f);
  std::map<std::string, nlohmann::json> cases;
  for (const auto& c : ref["cases"]) cases[c["name"].get<std::string>()] = c;
  for (const OpInfo& row : op_table()) {
    SCOPED_TRACE(row.name);
    auto it = cases.find(row.name);
    if (it == cases.end()) {
      ADD_FAILURE() << "no PyTorch data: run /usr/bin/python3 tests/reference/op_table.py";
      continue;
    }
    EXPECT_TRUE(check_reference(row.fn, it->second, 1e-9, 1e-12));
    EXPECT_EQ(it->second["grad_fn"].get<std::string>(),
              row.torch_grad_fn.empty() ? row.grad_fn : row.torch_grad_fn);
  }
}

TEST(OpTable, CoversTheRegistry) {
  std::set<std::string> rows;
  for (const OpInfo& row : op_table()) rows.insert(row.name);
  std::string previous;
  for (const UnaryOp& op : unary_ops()) {
    std::string name(op.name);
    EXPECT_TRUE(rows.count(name)) << "gf::unary_ops() has " << name << " but the table has no row";
    EXPECT_LT(previous, name) << "gf::unary_ops() is sorted and each name appears once";
    EXPECT_EQ(unary_by_name(name), op.fn);
    previous = name;
  }
  EXPECT_EQ(unary_by_name("no_such_op"), nullptr);
}
