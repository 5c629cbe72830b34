// Step-through backward for learners (seed 001: "multiply the gradient that you receive with
// your local gradient"). While a TraceGuard is alive on a thread, every backward pass on that
// thread prints, node by node in the order the engine runs them, the grad_fn's name, the
// gradient it receives and what it passes on to each input; for one-element tensors the local
// gradient is shown too (passed = local × received):
//
//   gf::autograd::TraceGuard trace(std::cout, {{"x", x}, {"y", y}, {"z", z}});
//   ((x + y) * z).backward();
//
//   [1] MulBackward0  receives 1
//         -> AddBackward0   -4  = local -4 × 1
//         -> z              3   = local 3 × 1
//   ...
// AccumulateGrad nodes (a leaf receiving its gradient) are printed in backward(); autograd::grad
// does not run them, so they do not appear there. Guards nest; the innermost one prints.
#pragma once
#include <iostream>
#include <string>
#include <utility>
#include <vector>

#include "gradflow/autograd/engine.hpp"
#include "gradflow/tensor.hpp"

namespace gf::autograd {

class TraceGuard {
 public:
  explicit TraceGuard(std::ostream& out = std::cout,
                      std::vector<std::pair<std::string, Tensor>> names = {});
  ~TraceGuard();
  TraceGuard(const TraceGuard&) = delete;
  TraceGuard& operator=(const TraceGuard&) = delete;

  // How many nodes this guard has printed so far.
  int steps() const { return steps_; }

 private:
  friend struct TraceAccess;
  std::ostream* out_;
  std::vector<std::pair<std::string, Tensor>> names_;
  int steps_ = 0;
  TraceHook previous_hook_;
  TraceGuard* previous_guard_;
};

}  // namespace gf::autograd
