// TraceGuard: installs the engine's trace hook (set_trace_hook, called after each node's apply
// with what it received and what it passed on) for the guard's lifetime, on this thread.
#include "gradflow/viz/trace.hpp"

#include <cmath>
#include <iomanip>
#include <sstream>

#include "gradflow/autograd/node.hpp"

namespace gf::autograd {

namespace {
thread_local TraceGuard* t_guard = nullptr;
}

struct TraceAccess {
  static std::string leaf_name(const TraceGuard& g, const TensorImpl* leaf) {
    for (const auto& [n, t] : g.names_)
      if (t.defined() && t.impl_ptr().get() == leaf) return n;
    if (!leaf->name.empty()) return leaf->name;
    std::ostringstream s;
    s << "leaf " << leaf->sizes;
    return s.str();
  }

  // Short form of a tensor: the number for one element, the printed tensor when small, shape
  // and norm otherwise.
  static std::string show(const Tensor& t) {
    if (!t.defined()) return "(none)";
    std::ostringstream s;
    if (t.numel() == 1) {
      s << std::setprecision(6) << t.item();
    } else if (t.numel() <= 12) {
      std::string p = to_string(t);
      for (char& c : p)
        if (c == '\n') c = ' ';
      s << p;
    } else {
      double sq = 0;
      for (double v : t.tolist()) sq += v * v;
      s << "tensor of shape " << t.sizes() << ", norm " << std::setprecision(6) << std::sqrt(sq);
    }
    return s.str();
  }

  static std::string target(const TraceGuard& g, const Edge& e) {
    if (!e.fn) return "(no gradient needed)";
    if (auto* acc = dynamic_cast<const AccumulateGrad*>(e.fn.get())) {
      if (auto leaf = acc->leaf.lock()) return leaf_name(g, leaf.get());
    }
    return e.fn->name();
  }

  static void hook(const Node& node, const std::vector<Tensor>& grad_in,
                   const std::vector<Tensor>& grad_out) {
    TraceGuard* g = t_guard;
    if (!g) return;
    std::ostream& out = *g->out_;
    ++g->steps_;
    const Tensor received = grad_in.empty() ? Tensor() : grad_in[0];
    out << "[" << g->steps_ << "] " << node.name();
    if (auto* acc = dynamic_cast<const AccumulateGrad*>(&node)) {
      std::string leaf = "(freed leaf)";
      if (auto l = acc->leaf.lock()) leaf = TraceAccess::leaf_name(*g, l.get());
      out << " (" << leaf << ")  receives " << show(received) << "  -> adds it to " << leaf
          << ".grad\n";
      return;
    }
    out << "  receives " << show(received);
    for (std::size_t i = 1; i < grad_in.size(); ++i) out << ", " << show(grad_in[i]);
    out << "\n";
    for (std::size_t i = 0; i < node.next_edges.size(); ++i) {
      const Tensor passed = i < grad_out.size() ? grad_out[i] : Tensor();
      std::string to = target(*g, node.next_edges[i]);
      to.resize(std::max<std::size_t>(to.size(), 16), ' ');
      out << "      -> " << to << " " << show(passed);
      // The chain rule for one-element gradients: passed = local × received.
      if (passed.defined() && received.defined() && passed.numel() == 1 && received.numel() == 1 &&
          received.item() != 0.0) {
        double r = received.item();
        std::ostringstream local;
        local << std::setprecision(6) << passed.item() / r << " × " << r;
        out << "  = local " << local.str();
      }
      out << "\n";
    }
  }
};

TraceGuard::TraceGuard(std::ostream& out, std::vector<std::pair<std::string, Tensor>> names)
    : out_(&out), names_(std::move(names)), previous_hook_(trace_hook()), previous_guard_(t_guard) {
  t_guard = this;
  set_trace_hook(&TraceAccess::hook);
}

TraceGuard::~TraceGuard() {
  t_guard = previous_guard_;
  set_trace_hook(previous_hook_);
}

}  // namespace gf::autograd
