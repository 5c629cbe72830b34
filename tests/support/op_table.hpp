// The op table, in the spirit of PyTorch's OpInfo: one row per differentiable op (and per variant
// worth its own check: a broadcast, a transposed operand, keepdim). tests/test_op_table.cpp runs
// every row through
//   - gradcheck and (unless gradgrad is false) gradgradcheck, in float64, on inputs drawn from
//     the row's domain, at least `gap` away from every kink;
//   - the grad_fn name of the output, and the names of the tensors that grad_fn saves
//     (show_saved: what make_dot(..., show_saved) draws) — and every node of the graph that
//     saves tensors must show them;
//   - agreement with PyTorch: tests/reference/op_table.py reads tests/reference/ops.txt (one line
//     per row, the same fields), evaluates the `torch` expression on its own seeded inputs and
//     writes tests/reference/op_table.json (inputs, output, gradients, PyTorch's grad_fn), which
//     the C++ test recomputes with `fn`.
// The library's list of ops by name (gf::unary_ops(), src/ops/registry.cpp) must be covered too:
// every name there needs a row of the same name.
//
// How to add an op (one row here, one line in ops.txt, regenerate the data):
//   1. Add a row to op_table() in op_table.cpp, in its group:
//        {.name = "softplus", .torch = "F.softplus(x0)", .grad_fn = "SoftplusBackward0",
//         .saved = {"self"}, .shapes = {{2, 3}}, .fn = un(softplus)},
//      shapes gives the arity (one shape per input); add .domain = {lo, hi, {kinks...}} for ops
//      defined on part of the line or with kinks (log: {0.2, 3}; relu: {-2, 2, {0}}),
//      .gradgrad = false where the second derivative is not (yet) differentiable, .nograd = {i}
//      for inputs that must not require grad (a condition), .torch_grad_fn when PyTorch records a
//      different node (a fused op).
//   2. Add the same row to tests/reference/ops.txt: the test OpTable.MatchesOpsTxt fails and
//      prints the exact line to paste.
//   3. Run /usr/bin/python3 tests/reference/op_table.py and commit the regenerated op_table.json.
//   4. A unary op that takes one tensor also goes into its file's list of unary ops by name (the
//      end of src/ops/unary.cpp; src/ops/registry.hpp): the expression parser and
//      `gradflow plot` then know it.
// In `torch`, x0, x1, ... are the inputs; torch, F (torch.nn.functional) and math are in scope.
#pragma once
#include <string>
#include <vector>

#include "support/op_check.hpp"

namespace gf::test {

// Where the inputs are drawn: uniform in [lo, hi), at least `gap` away from each kink.
struct Domain {
  double lo = -2, hi = 2;
  std::vector<double> kinks;
  double gap = 0.05;
};

struct OpInfo {
  std::string name;     // unique; the key in ops.txt and op_table.json
  std::string torch;    // the same computation in PyTorch, a Python expression over x0, x1, ...
  std::string grad_fn;  // the output's grad_fn name in gradflow
  std::vector<std::string> saved;  // the names that grad_fn shows under show_saved, in order
  std::vector<Shape> shapes;       // one per input
  OpFn fn;
  Domain domain = {};
  bool gradgrad = true;             // also check second derivatives
  std::vector<std::size_t> nograd;  // inputs that do not require grad
  std::string torch_grad_fn;        // PyTorch's grad_fn when it differs (empty: grad_fn)
  double atol = 1e-5, rtol = 1e-3;  // gradcheck tolerances
};

const std::vector<OpInfo>& op_table();

// Draws inputs from a domain (seeded: runs repeat).
InputGen domain_gen(const Domain& d);
// The row as an op_check case (gradcheck / gradgradcheck).
OpCase op_case(const OpInfo& row);
// The row's inputs, those not in nograd requiring grad.
Inputs make_inputs(const OpInfo& row);
// The row's line in tests/reference/ops.txt:
//   name | torch | grad_fn | shapes | domain
// e.g. "relu | torch.relu(x0) | ReluBackward0 | [3,4] | -2 2 kinks 0"; shapes are
// space-separated, [] for a 0-d tensor; domain is "lo hi", then "kinks k..." and "nograd i...".
std::string ops_txt_line(const OpInfo& row);

}  // namespace gf::test
