// The library's ops by name (include/gradflow/op_registry.hpp): the lists of the op files
// (src/ops/registry.hpp), merged and sorted once. A test (tests/test_op_table.cpp) checks that
// every name is unique and has a row in the op table.
#include "registry.hpp"

#include <algorithm>
#include <vector>

namespace gf {

namespace {

const std::vector<UnaryOp>& all_unary() {
  static const std::vector<UnaryOp> ops = [] {
    std::vector<UnaryOp> r;
    for (std::span<const UnaryOp> list : {detail::arithmetic_unary_ops(), detail::math_unary_ops(),
                                              detail::trig_unary_ops(), detail::rounding_unary_ops()})
      r.insert(r.end(), list.begin(), list.end());
    std::sort(r.begin(), r.end(),
              [](const UnaryOp& a, const UnaryOp& b) { return a.name < b.name; });
    return r;
  }();
  return ops;
}

}  // namespace

std::span<const UnaryOp> unary_ops() { return all_unary(); }

UnaryFn unary_by_name(std::string_view name) {
  const auto& ops = all_unary();
  auto it = std::lower_bound(ops.begin(), ops.end(), name,
                             [](const UnaryOp& op, std::string_view n) { return op.name < n; });
  return it != ops.end() && it->name == name ? it->fn : nullptr;
}

std::string unary_op_names() {
  std::string r;
  for (const UnaryOp& op : all_unary()) r += (r.empty() ? "" : ", ") + std::string(op.name);
  return r;
}

}  // namespace gf
