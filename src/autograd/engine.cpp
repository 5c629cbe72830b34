// The backward engine. Iterative, never recursive (STYLE.md 4): a DFS with an explicit stack
// counts, for every node reachable from the roots, how many edges lead into it; a node runs once
// all of them have delivered their gradient, so a tensor used twice gets the sum of both paths
// before its node runs. A 100,000-op chain needs no stack depth.
#include "gradflow/autograd/engine.hpp"

#include <atomic>
#include <cmath>

#include "gradflow/autograd/node.hpp"
#include "gradflow/factories.hpp"
#include "gradflow/ops.hpp"

namespace gf::autograd {

namespace {

std::atomic<uint64_t> g_next_visit{1};
thread_local TraceHook t_trace_hook = nullptr;
std::atomic<bool> g_detect_anomaly{false};

bool has_nan(const Tensor& t) {
  if (!is_floating(t.dtype())) return false;
  for (double v : t.tolist())
    if (std::isnan(v)) return true;
  return false;
}

void check_anomaly(const Node& node, const Grads& outs) {
  for (std::size_t i = 0; i < outs.size(); ++i)
    GF_CHECK(!(outs[i].defined() && has_nan(outs[i])), "Function '", node.name(),
             "' returned nan values in its ", i, "th output.");
}

struct Capture {
  Node* node;
  uint32_t nr;
  std::size_t result;
};

// Gradients are moved along, never copied: a handle copy is an atomic increment.
void accumulate(Tensor& slot, Tensor&& g) {
  if (slot.defined())
    slot = slot + g;
  else
    slot = std::move(g);
}

// A backward returns the bare formula; here, once for every op, its gradient is summed back to
// the input's recorded shape (undoing broadcasting) and cast to the input's dtype.
// Nodes whose inputs all have the output's shape and dtype keep no InputMeta and skip this.
Tensor fit_to_input(Tensor&& g, const Node& node, std::size_t i) {
  if (!node.input_meta) return std::move(g);
  const InputMeta& m = node.input_meta[i];
  Tensor r = std::move(g);
  if (r.sizes() != m.shape) {
    bool ok = r.dim() >= static_cast<int64_t>(m.shape.size());
    for (std::size_t k = 0; ok && k < m.shape.size(); ++k) {
      int64_t have = r.sizes()[r.dim() - m.shape.size() + k];
      ok = m.shape[k] == have || m.shape[k] == 1;
    }
    GF_CHECK(ok, "Function ", node.name(), " returned an invalid gradient at index ", i, " - got ",
             r.sizes(), " but expected shape compatible with ", m.shape);
    r = sum_to(r, m.shape);
  }
  return r.dtype() == m.dtype ? r : r.to(m.dtype);
}

// Runs backward from `roots`. With captures (autograd::grad) the gradients arriving at those
// (node, output) slots are returned and no leaf's .grad is touched.
void run(const std::vector<Tensor>& roots, const std::vector<Tensor>& grad_roots, bool retain_graph,
         bool create_graph, const std::vector<Capture>& captures, std::vector<Tensor>* results) {
  GF_CHECK(grad_roots.empty() || grad_roots.size() == roots.size(), "backward: got ",
           grad_roots.size(), " gradients for ", roots.size(), " outputs");
  const uint64_t visit = g_next_visit++;
  // Inline up to 16 entries: a small graph's backward (the seed-003 step) mallocs nothing here.
  SmallVector<Node*, 16> stack;
  SmallVector<std::shared_ptr<Node>, 4> root_nodes;

  // A node's input buffer (inline for up to three outputs) is sized when its first gradient
  // arrives.
  auto slot = [&](Node* m, uint32_t nr) -> Tensor& {
    if (m->buffer.empty()) m->buffer.resize(m->num_outputs);
    return m->buffer[nr];
  };

  auto discover = [&](Node* start) {
    if (start->visit_id == visit) return;
    start->visit_id = visit;
    start->dependencies = 0;
    start->buffer.clear();
    stack.push_back(start);
    while (!stack.empty()) {
      Node* n = stack.back();
      stack.pop_back();
      for (const Edge& e : n->next_edges) {
        if (!e.fn) continue;
        Node* m = e.fn.get();
        if (m->visit_id != visit) {
          m->visit_id = visit;
          m->dependencies = 0;
          m->buffer.clear();
          stack.push_back(m);
        }
        ++m->dependencies;
      }
    }
  };

  AutoGradMode mode(create_graph);
  for (std::size_t i = 0; i < roots.size(); ++i) {
    const Tensor& root = roots[i];
    Edge edge = gradient_edge(root);
    GF_CHECK(edge.valid(), "backward: element ", i,
             " of tensors does not require grad and does not have a grad_fn");
    Tensor g = grad_roots.empty() ? Tensor() : grad_roots[i];
    if (!g.defined()) {
      GF_CHECK(root.numel() == 1,
               "backward: grad can be implicitly created only for outputs "
               "with one element; output ",
               i, " has shape ", root.sizes(), " (pass a gradient of that shape)");
      g = ones_like(root);
    } else {
      GF_CHECK(g.sizes() == root.sizes(), "backward: gradient of shape ", g.sizes(),
               " does not match output ", i, " of shape ", root.sizes());
    }
    discover(edge.fn.get());
    root_nodes.push_back(edge.fn);
    accumulate(slot(edge.fn.get(), edge.input_nr), std::move(g));
  }

  // autograd::grad runs only the part of the graph between the outputs and the requested inputs
  // (computed post-order, iteratively).
  if (results) {
    struct Frame {
      Node* n;
      std::size_t next;
    };
    const uint64_t marked = g_next_visit++;
    std::vector<Frame> frames;
    for (auto& r : root_nodes) {
      if (r->visit_id == marked) continue;
      r->visit_id = marked;
      frames.push_back({r.get(), 0});
      while (!frames.empty()) {
        Frame& f = frames.back();
        if (f.next < f.n->next_edges.size()) {
          Node* m = f.n->next_edges[f.next++].fn.get();
          if (m && m->visit_id != marked) {
            m->visit_id = marked;
            frames.push_back({m, 0});
          }
          continue;
        }
        Node* n = f.n;
        frames.pop_back();
        // n runs when a node below it has a capture or runs itself; a capture's own node is
        // read from its input buffer and does not run for it (PyTorch's exec_info).
        bool need = false;
        for (const Edge& e : n->next_edges) {
          if (!e.fn) continue;
          need = need || e.fn->needed;
          for (const Capture& c : captures) need = need || c.node == e.fn.get();
        }
        n->needed = need;
      }
    }
    for (auto& r : root_nodes) r->visit_id = visit;  // back to this pass's marks
    // every node reachable was re-marked: restore the pass mark on all of them
    std::vector<Node*> todo;
    for (auto& r : root_nodes) todo.push_back(r.get());
    while (!todo.empty()) {
      Node* n = todo.back();
      todo.pop_back();
      for (const Edge& e : n->next_edges)
        if (e.fn && e.fn->visit_id == marked) {
          e.fn->visit_id = visit;
          todo.push_back(e.fn.get());
        }
    }
  }

  // Raw pointers: every node of the pass stays owned by an edge of a node above it, up to the
  // roots (root_nodes), until the pass ends.
  SmallVector<Node*, 16> ready;
  for (auto& n : root_nodes)
    if (n->dependencies == 0 && n->visit_id == visit) {
      n->visit_id = 0;  // queue each root once, even if it appears twice
      ready.push_back(n.get());
    }

  const bool capturing = results != nullptr;
  while (!ready.empty()) {
    Node* node = ready.back();
    ready.pop_back();
    Grads grads = std::move(node->buffer);
    node->buffer.clear();
    grads.resize(node->num_outputs);  // (empty when no gradient arrived)
    if (node->pre_hooks || node->is_accumulator) run_pre_hooks(*node, grads);

    for (const Capture& c : captures)
      if (c.node == node) {
        Tensor& r = (*results)[c.result];
        if (grads[c.nr].defined()) r = r.defined() ? r + grads[c.nr] : grads[c.nr];
      }
    // (use_count first: most nodes have no retained output, and lock() on none still costs)
    if (auto kept = node->retained_output.use_count() ? node->retained_output.lock() : nullptr;
        kept && !capturing && grads[0].defined()) {
      kept->grad = kept->grad ? (Tensor(kept->grad) + grads[0]).impl_ptr()
                              : (create_graph ? grads[0] : grads[0].detach()).impl_ptr();
    }
    if (capturing && (node->is_accumulator || !node->needed)) continue;

    // No gradient reached any output (e.g. only through undefined branches): like PyTorch, the
    // node is skipped and its inputs receive nothing from it.
    bool any_grad = false;
    for (const Tensor& g : grads) any_grad = any_grad || g.defined();
    if (!any_grad) {
      for (const Edge& e : node->next_edges)
        if (e.fn && --e.fn->dependencies == 0) ready.push_back(e.fn.get());
      continue;
    }
    GF_CHECK(!(node->released && node->has_saved),
             "backward: trying to backward through the "
             "graph a second time (",
             node->name(),
             " has freed its saved tensors); specify "
             "retain_graph=true on the first backward if you need to do this");
    Grads outs = node->apply(grads);
    if (t_trace_hook) t_trace_hook(*node, std::vector<Tensor>(grads), std::vector<Tensor>(outs));
    if (g_detect_anomaly.load(std::memory_order_relaxed)) check_anomaly(*node, outs);
    grads.clear();
    if (!retain_graph) {
      node->release_saved();
      node->released = true;
    }
    for (std::size_t i = 0; i < node->next_edges.size(); ++i) {
      const Edge& e = node->next_edges[i];
      if (!e.fn) continue;
      if (i < outs.size() && outs[i].defined())
        accumulate(slot(e.fn.get(), e.input_nr), fit_to_input(std::move(outs[i]), *node, i));
      if (--e.fn->dependencies == 0) ready.push_back(e.fn.get());
    }
  }
}

}  // namespace

void set_detect_anomaly(bool on) { g_detect_anomaly = on; }
bool is_anomaly_enabled() { return g_detect_anomaly; }

void set_trace_hook(TraceHook hook) { t_trace_hook = hook; }
TraceHook trace_hook() { return t_trace_hook; }

void backward(const std::vector<Tensor>& outputs, const std::vector<Tensor>& grad_outputs,
              bool retain_graph, bool create_graph) {
  run(outputs, grad_outputs, retain_graph || create_graph, create_graph, {}, nullptr);
}

std::vector<Tensor> grad(const std::vector<Tensor>& outputs, const std::vector<Tensor>& inputs,
                         const std::vector<Tensor>& grad_outputs, bool retain_graph,
                         bool create_graph, bool allow_unused) {
  std::vector<Capture> captures;
  std::vector<Edge> keep;  // holds AccumulateGrad nodes alive during the pass
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    GF_CHECK(inputs[i].defined() && inputs[i].requires_grad(), "autograd::grad: input ", i,
             " does not require grad");
    Edge e = gradient_edge(inputs[i]);
    captures.push_back({e.fn.get(), e.input_nr, i});
    keep.push_back(e);
  }
  std::vector<Tensor> results(inputs.size());
  run(outputs, grad_outputs, retain_graph || create_graph, create_graph, captures, &results);
  for (std::size_t i = 0; i < results.size(); ++i)
    GF_CHECK(results[i].defined() || allow_unused, "autograd::grad: input ", i,
             " appears to not have been used in the graph; set allow_unused=true if this is "
             "the desired behavior");
  return results;
}

}  // namespace gf::autograd
