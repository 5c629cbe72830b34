// make_dot / make_dot_json: walks the backward graph from the outputs' grad_fns through
// Node::next_edges (an explicit stack, never recursion) in the order torchviz's add_nodes
// visits it, then prints DOT or JSON. The DOT attributes are torchviz's.
#include "gradflow/viz/graph.hpp"

#include <nlohmann/json.hpp>
#include <sstream>
#include <unordered_map>

#include "gradflow/autograd/node.hpp"

namespace gf::viz {

namespace {

using autograd::AccumulateGrad;
using autograd::Node;

enum class Kind { Function, Leaf, Saved };

struct GraphNode {
  Kind kind = Kind::Function;
  std::string label;  // what the box shows
  std::string name;   // grad_fn name, parameter name or saved-tensor name
  Shape shape;
  bool has_shape = false;
  bool output = false;
  Tensor value;  // leaves, saved tensors, outputs
};

struct GraphEdge {
  std::size_t from, to;
  bool saved;  // fn -- saved tensor (undirected)
};

struct Graph {
  std::vector<GraphNode> nodes;
  std::vector<GraphEdge> edges;
};

// torchviz's size_to_str: "(3, 5)", "(3)", "()".
std::string size_to_str(const Shape& s) {
  std::string r = "(";
  for (std::size_t i = 0; i < s.size(); ++i) r += (i ? ", " : "") + std::to_string(s[i]);
  return r + ")";
}

// torchviz's get_var_name: "name\n (3, 5)"; a tensor without a name shows only its shape.
std::string var_label(const std::string& name, const Shape& s) {
  return name.empty() ? size_to_str(s) : name + "\n " + size_to_str(s);
}

class Builder {
 public:
  Builder(const NamedTensors& named, const DotOptions& options) : options_(options) {
    for (const auto& [n, t] : named)
      if (t.defined()) names_.emplace(t.impl_ptr().get(), n);
  }

  Graph build(const std::vector<Tensor>& outputs) {
    for (const Tensor& out : outputs) {
      GF_CHECK(out.defined(), "make_dot: output is an undefined tensor");
      if (const auto& fn = out.grad_fn()) {
        std::size_t i = visit(fn.get());
        graph_.nodes[i].output = true;
        if (!graph_.nodes[i].value.defined()) graph_.nodes[i].value = out;
      } else {
        // A leaf (or a constant) given as an output: its own box, highlighted.
        GraphNode n;
        n.kind = Kind::Leaf;
        n.name = name_of(*out.impl_ptr());
        n.label = var_label(n.name, out.sizes());
        n.shape = out.sizes();
        n.has_shape = true;
        n.output = true;
        n.value = out;
        graph_.nodes.push_back(std::move(n));
      }
    }
    return std::move(graph_);
  }

 private:
  std::string name_of(const TensorImpl& t) const {
    auto it = names_.find(&t);
    return it != names_.end() ? it->second : t.name;
  }

  std::size_t add_function(Node* fn) {
    GraphNode n;
    if (auto* acc = dynamic_cast<AccumulateGrad*>(fn)) {
      n.kind = Kind::Leaf;
      if (auto leaf = acc->leaf.lock()) {
        n.name = name_of(*leaf);
        n.shape = leaf->sizes;
        n.has_shape = true;
        n.label = var_label(n.name, n.shape);
        n.value = Tensor(leaf);
      } else {
        n.name = n.label = fn->name();  // the leaf is gone: show the node itself
      }
    } else {
      n.name = n.label = fn->name();
    }
    std::size_t index = graph_.nodes.size();
    graph_.nodes.push_back(std::move(n));
    seen_.emplace(fn, index);
    if (options_.show_saved) add_saved(fn, index);
    return index;
  }

  // torchviz (show_saved): dot.edge(id(fn), id(val), dir="none"); orange "name\n shape".
  void add_saved(Node* fn, std::size_t index) {
    for (const auto& [attr, t] : fn->saved()) {
      if (!t.defined()) continue;  // released after backward, or not needed
      const TensorImpl* key = t.impl_ptr().get();
      auto it = saved_.find(key);
      std::size_t s;
      if (it == saved_.end()) {
        GraphNode n;
        n.kind = Kind::Saved;
        n.name = attr;
        n.shape = t.sizes();
        n.has_shape = true;
        n.label = var_label(attr, n.shape);
        n.value = t;
        s = graph_.nodes.size();
        graph_.nodes.push_back(std::move(n));
        saved_.emplace(key, s);
      } else {
        s = it->second;
      }
      graph_.edges.push_back({index, s, true});
    }
  }

  // Depth-first, pre-order, children in next_edges order: torchviz's add_nodes, iteratively.
  std::size_t visit(Node* root) {
    if (auto it = seen_.find(root); it != seen_.end()) return it->second;
    std::size_t root_index = add_function(root);
    std::vector<std::pair<Node*, std::size_t>> stack{{root, 0}};
    while (!stack.empty()) {
      Node* n = stack.back().first;
      std::size_t i = stack.back().second++;
      if (i >= n->next_edges.size()) {
        stack.pop_back();
        continue;
      }
      Node* next = n->next_edges[i].fn.get();
      if (!next) continue;
      std::size_t to = seen_.at(n);
      auto it = seen_.find(next);
      std::size_t from = it != seen_.end() ? it->second : add_function(next);
      graph_.edges.push_back({from, to, false});  // dot.edge(id(u[0]), id(fn))
      if (it == seen_.end()) stack.emplace_back(next, 0);
    }
    return root_index;
  }

  const DotOptions& options_;
  std::unordered_map<const TensorImpl*, std::string> names_;
  std::unordered_map<const Node*, std::size_t> seen_;
  std::unordered_map<const TensorImpl*, std::size_t> saved_;
  Graph graph_;
};

// A DOT double-quoted string: quotes and backslashes escaped, newlines as \n.
std::string quote(const std::string& s) {
  std::string r = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') r += '\\';
    if (c == '\n') {
      r += "\\n";
      continue;
    }
    r += c;
  }
  return r + "\"";
}

std::string fill_color(const GraphNode& n) {
  if (n.output) return "darkolivegreen1";
  if (n.kind == Kind::Leaf) return "lightblue";
  if (n.kind == Kind::Saved) return "orange";
  return "";
}

nlohmann::json values_of(const Tensor& t, int64_t max_values) {
  if (!t.defined() || t.numel() > max_values) return nullptr;
  return t.tolist();
}

}  // namespace

std::string make_dot(const std::vector<Tensor>& outputs, const NamedTensors& named_params,
                     const DotOptions& options) {
  Graph g = Builder(named_params, options).build(outputs);
  std::ostringstream out;
  out << "digraph {\n"
      << "\tgraph [size=\"12,12\"]\n"
      << "\tnode [align=left fontname=monospace fontsize=10 height=0.2 ranksep=0.1 "
         "shape=box style=filled]\n";
  for (std::size_t i = 0; i < g.nodes.size(); ++i) {
    const GraphNode& n = g.nodes[i];
    out << "\t" << i << " [label=" << quote(n.label);
    if (std::string c = fill_color(n); !c.empty()) out << " fillcolor=" << c;
    out << "]\n";
  }
  for (const GraphEdge& e : g.edges) {
    out << "\t" << e.from << " -> " << e.to;
    if (e.saved) out << " [dir=none]";
    out << "\n";
  }
  out << "}\n";
  return out.str();
}

std::string make_dot_json(const std::vector<Tensor>& outputs, const NamedTensors& named_params,
                          const DotOptions& options) {
  Graph g = Builder(named_params, options).build(outputs);
  nlohmann::json nodes = nlohmann::json::array(), edges = nlohmann::json::array();
  for (std::size_t i = 0; i < g.nodes.size(); ++i) {
    const GraphNode& n = g.nodes[i];
    nlohmann::json j;
    j["id"] = i;
    j["kind"] = n.kind == Kind::Function ? "function" : n.kind == Kind::Leaf ? "leaf" : "saved";
    j["label"] = n.label;
    j["name"] = n.name;
    j["output"] = n.output;
    if (n.has_shape)
      j["shape"] = n.shape.vec();
    else if (n.value.defined())
      j["shape"] = n.value.sizes().vec();
    if (auto v = values_of(n.value, options.max_values); !v.is_null()) j["value"] = v;
    if (n.value.defined() && n.value.impl().grad) {
      if (auto gr = values_of(Tensor(n.value.impl().grad), options.max_values); !gr.is_null())
        j["grad"] = gr;
    }
    nodes.push_back(std::move(j));
  }
  for (const GraphEdge& e : g.edges)
    edges.push_back({{"from", e.from}, {"to", e.to}, {"kind", e.saved ? "saved" : "gradient"}});
  return nlohmann::json{{"nodes", nodes}, {"edges", edges}}.dump(2);
}

}  // namespace gf::viz
