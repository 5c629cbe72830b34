// Seed 001 — the chain rule on a computational graph: L = (x + y) * z at x=-2, y=5, z=-4.
//
//   build/examples/computational_graph      (writes computational_graph.svg when viz is built)
//
// Three ways to get dL/dx, dL/dy, dL/dz = -4, -4, 3 (WORKED_EXAMPLES row 1):
// 1. by hand: forward values, then local gradients multiplied backwards;
// 2. with user-defined gates (MultiplyGate, AddGate) in the seed's ComputationalGraph, which runs
//    forward over the gates in topological order and backward over them in reverse;
// 3. with autograd: L.backward(), and the graph drawn like torchviz's make_dot.
#include <algorithm>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "check.hpp"
#ifdef GF_HAVE_VIZ
#include <gradflow/viz/graph.hpp>
#endif

using examples::check;
using examples::check_close;
using gf::Tensor;
using gf::autograd::Context;

// A gate is a gf::autograd::Function: forward computes the value and saves what backward needs;
// backward multiplies the gradient it receives by its local gradients.
//   z = x * y:   dL/dx = dz/dx · dL/dz = y · dL/dz,   dL/dy = x · dL/dz
struct MultiplyGate : gf::autograd::Function<MultiplyGate> {
  static Tensor forward(Context& ctx, const Tensor& x, const Tensor& y) {
    ctx.save_for_backward({x, y});  // self.x = x; self.y = y
    return x * y;
  }
  static std::vector<Tensor> backward(Context& ctx, const std::vector<Tensor>& dz) {
    auto saved = ctx.saved_tensors();
    return {saved[1] * dz[0], saved[0] * dz[0]};  // [dx, dy]
  }
};

//   z = x + y:   dz/dx = dz/dy = 1, so dL/dx = dL/dy = dL/dz (an add gate distributes)
struct AddGate : gf::autograd::Function<AddGate> {
  static Tensor forward(Context&, const Tensor& x, const Tensor& y) { return x + y; }
  static std::vector<Tensor> backward(Context&, const std::vector<Tensor>& dz) {
    return {dz[0], dz[0]};
  }
};

// The seed's ComputationalGraph: gates wired by the names of the values they read and write.
class ComputationalGraph {
 public:
  void add_gate(const std::string& op, const std::string& a, const std::string& b,
                const std::string& out) {
    gates_.push_back({op, a, b, out});
  }

  // 1. pass the inputs in; 2. run every gate in topological order; the last gate gives the loss.
  Tensor forward(const std::map<std::string, Tensor>& inputs) {
    values_ = inputs;
    order_ = nodes_topologically_sorted();
    for (const Gate& g : order_) {
      std::cout << "  forward  " << g.op << " gate: " << g.out << " = " << g.a << " " << g.op << " "
                << g.b << "\n";
      values_[g.out] = g.op == "*" ? MultiplyGate::apply(values_[g.a], values_[g.b])
                                   : AddGate::apply(values_[g.a], values_[g.b]);
    }
    return values_[order_.back().out];
  }

  // Gates in reverse order; each turns dL/d(output) into dL/d(inputs) with its local gradients
  // (the chain rule), and the gradients of a value used twice add up.
  std::map<std::string, Tensor> backward() {
    gf::NoGradGuard no_grad;
    std::map<std::string, Tensor> grads;
    grads[order_.back().out] = gf::ones_like(values_[order_.back().out]);  // dL/dL = 1
    for (auto g = order_.rbegin(); g != order_.rend(); ++g) {
      // gate.backward(dz): Gate::apply attached a node to the gate's output (its grad_fn) that
      // holds the saved context; calling it runs MultiplyGate/AddGate::backward, returning [dx,
      // dy].
      std::vector<Tensor> d = values_[g->out].grad_fn()->apply({grads[g->out]});
      for (auto [name, grad] : {std::pair{g->a, d[0]}, std::pair{g->b, d[1]}})
        grads[name] = grads.count(name) ? grads[name] + grad : grad;
      std::cout << "  backward " << g->op << " gate: dL/d" << g->a << " = " << grads[g->a].item()
                << ", dL/d" << g->b << " = " << grads[g->b].item() << "\n";
    }
    return grads;
  }

 private:
  struct Gate {
    std::string op, a, b, out;
  };
  // A gate can run once both its inputs exist (Kahn's algorithm, picking the first ready gate).
  std::vector<Gate> nodes_topologically_sorted() const {
    std::vector<std::string> ready;
    for (const auto& [name, v] : values_) ready.push_back(name);
    auto has = [&](const std::string& n) { return std::count(ready.begin(), ready.end(), n) > 0; };
    std::vector<Gate> order, todo = gates_;
    while (!todo.empty()) {
      auto g = std::find_if(todo.begin(), todo.end(),
                            [&](const Gate& t) { return has(t.a) && has(t.b); });
      GF_CHECK(g != todo.end(), "ComputationalGraph: a gate reads a value nothing produces");
      ready.push_back(g->out);
      order.push_back(*g);
      todo.erase(g);
    }
    return order;
  }
  std::vector<Gate> gates_, order_;
  std::map<std::string, Tensor> values_;
};

int main() {
  const double x0 = -2, y0 = 5, z0 = -4;

  std::cout << "# 1. By hand: forward, then local gradients times the upstream gradient\n";
  double q = x0 + y0;  // q = x + y = 3
  double L = q * z0;   // L = q z = -12
  // dL/dq = z, dL/dz = q;  dq/dx = dq/dy = 1
  double dL_dq = z0, dL_dz = q;
  // chain rule: dL/dx = dL/dq · dq/dx,  dL/dy = dL/dq · dq/dy
  double dL_dx = dL_dq * 1, dL_dy = dL_dq * 1;
  std::cout << "q = " << q << ", L = " << L << "\ndL/dx = " << dL_dx << ", dL/dy = " << dL_dy
            << ", dL/dz = " << dL_dz << "\n";
  check(L == -12 && dL_dx == -4 && dL_dy == -4 && dL_dz == 3, "by hand: L = -12; -4, -4, 3");

  std::cout << "\n# 2. Gates in a ComputationalGraph (declared out of order on purpose)\n";
  ComputationalGraph graph;
  graph.add_gate("*", "q", "z", "L");  // L = q * z
  graph.add_gate("+", "x", "y", "q");  // q = x + y
  auto leaf = [](double v) { return gf::scalar_tensor(v).requires_grad_(); };
  Tensor gx = leaf(x0), gy = leaf(y0), gz = leaf(z0);
  Tensor loss = graph.forward({{"x", gx}, {"y", gy}, {"z", gz}});
  std::cout << loss << "\n";
  auto grads = graph.backward();
  check(loss.item() == -12 && loss.grad_fn_name() == "MultiplyGateBackward",
        "gates: L = -12 with grad_fn MultiplyGateBackward");
  check(grads["x"].item() == -4 && grads["y"].item() == -4 && grads["z"].item() == 3,
        "gates, backward in reverse topological order: -4, -4, 3");
  // The engine does the same walk over the same gates: loss.backward() calls their backward.
  loss.backward();
  check(gx.grad().item() == -4 && gy.grad().item() == -4 && gz.grad().item() == 3,
        "gates through the engine (loss.backward()): -4, -4, 3");

  std::cout << "\n# 3. Autograd\n";
  auto neural_net = [](const Tensor& x, const Tensor& y, const Tensor& z) { return (x + y) * z; };
  Tensor x = leaf(x0), y = leaf(y0), z = leaf(z0);
  Tensor out = neural_net(x, y, z);  // forward pass
  out.backward();                    // backward pass: fills x.grad, y.grad, z.grad
  for (const Tensor& el : {x, y, z}) std::cout << el.grad() << "\n";
  std::cout << out << "\n";
  check(out.grad_fn_name() == "MulBackward0", "autograd: grad_fn MulBackward0");
  check_close("autograd: x.grad, y.grad, z.grad = -4, -4, 3",
              gf::stack({x.grad(), y.grad(), z.grad()}), gf::tensor({-4.0, -4.0, 3.0}), 0);

#ifdef GF_HAVE_VIZ
  // make_dot(loss, params=dict(x=x, y=y, z=z)): AddBackward0 -> MulBackward0, leaves x, y, z.
  std::string dot = gf::viz::make_dot({out}, {{"x", x}, {"y", y}, {"z", z}});
  gf::viz::render(dot, "computational_graph.svg");
  std::cout << "wrote computational_graph.svg\n";
  check(dot.find("MulBackward0") != std::string::npos &&
            dot.find("AddBackward0") != std::string::npos,
        "make_dot draws MulBackward0 and AddBackward0");
  check(std::ifstream("computational_graph.svg").good(), "computational_graph.svg written");
#endif
  return examples::finish();
}
