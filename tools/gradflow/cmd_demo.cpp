// `gradflow demo [--trace]`: the worked examples 1–8 of WORKED_EXAMPLES.md (seed notebooks 001
// and 002), printed as a learner wants to see them — each value and gradient in PyTorch's format,
// its grad_fn name, and one line saying why the number is what it is. --trace also prints every
// node the backward pass runs, with the gradient it received and what it passed on.
#include <algorithm>
#include <cmath>
#include <functional>
#include <gradflow/gradflow.hpp>
#include <gradflow/nn/functional.hpp>
#include <gradflow/viz/trace.hpp>
#include <iostream>
#include <string>

#include "command.hpp"

namespace gf::cli {
namespace {

bool g_trace = false;

// Runs backward, with every node it runs printed when --trace was given.
using Names = std::vector<std::pair<std::string, Tensor>>;
void run_backward(const std::function<void()>& backward, Names names = {}) {
  if (!g_trace) return backward();
  std::cout << "  backward pass, node by node:\n";
  autograd::TraceGuard guard(std::cout, std::move(names));
  backward();
}

void show(const std::string& what, const Tensor& t, const std::string& why = "") {
  std::cout << "  " << what << " = " << t << "\n";
  if (!why.empty()) std::cout << "      " << why << "\n";
}

void header(int n, const std::string& seed, const std::string& title) {
  std::cout << "\n[" << n << "] " << title << "   (seed " << seed << ")\n";
}

void example1() {
  header(1, "001", "L = (x + y) * z at x = -2, y = 5, z = -4");
  auto x = scalar_tensor(-2).requires_grad_();
  auto y = scalar_tensor(5).requires_grad_();
  auto z = scalar_tensor(-4).requires_grad_();
  auto q = x + y;
  auto L = q * z;
  show("q = x + y", q, "add gate: q = -2 + 5 = 3");
  show("L = q * z", L, "multiply gate: L = 3 * -4 = -12");
  run_backward([&] { L.backward(); }, {{"x", x}, {"y", y}, {"z", z}, {"q", q}});
  show("dL/dx", x.grad(), "= z = -4 (the add gate passes dL/dq = z to both inputs unchanged)");
  show("dL/dy", y.grad(), "= z = -4 (same: the add gate distributes the gradient)");
  show("dL/dz", z.grad(), "= x + y = 3 (the multiply gate swaps its inputs)");
}

void example2() {
  header(2, "002", "softmax of x = [-1.3, 0.5, 2.1] and its Jacobian diag(s) - s s^T");
  auto x = tensor({-1.3, 0.5, 2.1});
  auto values = x.tolist();
  double top = *std::max_element(values.begin(), values.end());
  show("x - max(x)", x - top, "subtracting the max first keeps exp() from overflowing");
  auto s = softmax(x, 0);
  show("s = softmax(x)", s, "exp(x_i - max) / sum_j exp(x_j - max); the entries sum to 1");
  auto J_formula = [&] {
    auto col = s.unsqueeze(1);
    return (eye(3) * col) - matmul(col, col.t());  // diag(s) - s s^T
  }();
  show("diag(s) - s s^T", J_formula, "dsoftmax_i/dx_j = s_i (delta_ij - s_j)");
  auto J = autograd::jacobian([](const Tensor& v) { return softmax(v, 0); }, x);
  show("autograd::jacobian(softmax, x)", J,
       "autograd gives the same matrix, row by row (one backward per output)");
}

void example3() {
  header(3, "002", "x = ones(2,2); f = 2x; g = sum(f); g.backward()");
  auto x = ones({2, 2}).requires_grad_();
  auto f = x * 2.0;
  auto g = f.sum();
  show("g", g, "2 * 4 ones = 8");
  run_backward([&] { g.backward(); }, {{"x", x}, {"f", f}});
  show("x.grad", x.grad(), "dg/dx = 2 everywhere: sum passes 1 to each entry, times 2");
}

void example4() {
  header(4, "002", "y = x + 2; z = y*y*3; o = z.mean() with x = ones(2,2)");
  auto x = ones({2, 2}).requires_grad_();
  auto y = x + 2.0;
  auto z = y * y * 3.0;
  auto o = z.mean();
  show("y", y, "1 + 2 = 3");
  show("z", z, "3 * 3 * 3 = 27");
  show("o", o, "the mean of four 27s");
  run_backward([&] { o.backward(); }, {{"x", x}, {"y", y}, {"z", z}});
  show("x.grad", x.grad(), "do/dx = (1/4) * 6y = 6*3/4 = 4.5");
}

void example5() {
  header(5, "002", "y = 2x, doubled while ||y|| < 1000; y.backward(v), v = [0.1, 1.0, 0.0001]");
  // The notebook draws x from randn; a fixed x that needs the notebook's k = 10 doublings keeps
  // the printed numbers stable: ||2x|| = 2.154, ×2^8 = 551 < 1000, ×2^9 = 1103 (k = 10).
  auto x = tensor({0.6, -0.8, 0.4}).requires_grad_();
  auto y = x * 2.0;
  int k = 1;
  while (std::sqrt((y * y).sum().item()) < 1000) {
    y = y * 2.0;
    ++k;
  }
  show("y", y, "x multiplied by 2^" + std::to_string(k));
  auto v = tensor({0.1, 1.0, 0.0001});
  run_backward([&] { y.backward(v); });
  show("x.grad", x.grad(),
       "y is not a scalar, so backward(v) gives the vector-Jacobian product v^T J = 2^" +
           std::to_string(k) + " v");
}

void example6() {
  header(6, "002", "l = softmax(x, dim=1) for x of shape 1x3; k = sum(2*l); k.backward()");
  auto x = tensor({-1.3, 0.5, 2.1}, {1, 3}).requires_grad_();
  auto l = softmax(x, 1);
  auto k = (l * 2.0).sum();
  show("l", l);
  show("k", k, "softmax outputs sum to 1, so k = 2 whatever x is");
  run_backward([&] { k.backward(); }, {{"x", x}, {"l", l}});
  show("x.grad", x.grad(), "k does not depend on x, so its gradient is 0 (up to rounding)");
}

void example7() {
  header(7, "002", "NoGradGuard: is (x*x) recorded?");
  auto x = ones({2}).requires_grad_();
  bool inside;
  {
    NoGradGuard guard;
    inside = (x * x).requires_grad();
  }
  bool outside = (x * x).requires_grad();
  std::cout << "  inside NoGradGuard:  (x*x).requires_grad() = " << (inside ? "true" : "false")
            << "\n  outside:             (x*x).requires_grad() = " << (outside ? "true" : "false")
            << "\n      no graph is recorded inside the guard (what evaluation and optimizer "
               "steps use)\n";
}

void example8() {
  header(8, "001", "cross-entropy of logits z with softmax(z) = [0.2, 0.7, 0.1], y = class 1");
  auto z = tensor({std::log(0.2), std::log(0.7), std::log(0.1)}, {1, 3}).requires_grad_();
  show("z = log(p)", z);
  show("softmax(z)", softmax(z, 1).detach(), "the predicted probabilities p");
  auto loss = nn::functional::cross_entropy(z, tensor({1.0}, {1}, DType::Int64));
  show("loss", loss, "-log p[y] = -log 0.7");
  run_backward([&] { loss.backward(); }, {{"z", z}});
  show("dloss/dz", z.grad(), "= softmax(z) - onehot(y) = [0.2, 0.7 - 1, 0.1]");
}

void setup(CLI::App& app) {
  auto* cmd = app.add_subcommand("demo", "Print the worked examples: values, gradients, grad_fns");
  cmd->add_flag("--trace", g_trace, "Also print each node the backward pass runs");
  cmd->callback([] {
    set_default_dtype(DType::Float64);  // the worked examples are in float64
    std::cout << "gradflow demo: the worked examples of seed notebooks 001 and 002\n";
    for (auto* fn :
         {example1, example2, example3, example4, example5, example6, example7, example8})
      fn();
  });
}

const Registration reg("demo", setup);

}  // namespace
}  // namespace gf::cli
