// Ops by name, for programs that take an op's name as text: the expression parser
// (gf::viz::parse_expression), `gradflow plot --functions`, and the op table's tests. One list in
// the library: each op file lists its unary ops beside their definitions (src/ops/registry.hpp),
// so a new unary op is known everywhere once its file lists it.
//
//   if (gf::UnaryFn f = gf::unary_by_name("tanh")) y = f(x);
//   gf::unary_op_names();   // "abs, exp, log, ..." (sorted), for error messages and --help
#pragma once
#include <span>
#include <string>
#include <string_view>

#include "gradflow/tensor.hpp"

namespace gf {

using UnaryFn = Tensor (*)(const Tensor&);

struct UnaryOp {
  std::string_view name;  // gradflow's (and PyTorch's) function name, e.g. "sigmoid"
  UnaryFn fn;
};

// Every differentiable elementwise op of one tensor argument, sorted by name.
std::span<const UnaryOp> unary_ops();
// The op called `name`, or nullptr when there is none.
UnaryFn unary_by_name(std::string_view name);
// The names of unary_ops(), comma-separated: "abs, exp, log, ...".
std::string unary_op_names();

}  // namespace gf
