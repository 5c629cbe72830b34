// The backward graph. Each op that records history creates one Node (its grad_fn) holding what
// its backward reads and one Edge per input pointing at the Node that produced that input (or at
// the leaf's AccumulateGrad). The engine (engine.cpp) walks these in topological order.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "gradflow/tensor.hpp"

namespace gf::autograd {

struct Node;

struct Edge {
  std::shared_ptr<Node> fn;  // null: that input needs no gradient
  uint32_t input_nr = 0;     // which output of fn the input was
  bool valid() const { return fn != nullptr; }
};

struct Node : std::enable_shared_from_this<Node> {
  // Frees the graph behind this node iteratively: a 100,000-node chain must not recurse.
  virtual ~Node();
  // PyTorch's grad_fn name, e.g. "MulBackward0".
  virtual std::string name() const = 0;
  // Given dL/d(output) for each output, returns dL/d(input) for each input (undefined where an
  // input needs none). Written with differentiable ops, so create_graph records it.
  virtual std::vector<Tensor> apply(const std::vector<Tensor>& grad_outputs) = 0;
  // Frees the tensors saved for backward (after a backward without retain_graph).
  virtual void release_saved() {}
  // Saved tensors, for viz (show_saved): name and tensor.
  virtual std::vector<std::pair<std::string, Tensor>> saved() const { return {}; }

  std::vector<Edge> next_edges;  // one per forward input
  uint32_t num_outputs = 1;
  bool has_saved = false;  // backward reads saved tensors: a second pass after release is an error
  bool released = false;

  // A non-leaf output that asked for retain_grad(): receives its gradient in .grad.
  std::weak_ptr<TensorImpl> retained_output;

  // Engine scratch space (one backward at a time per graph).
  uint64_t visit_id = 0;
  int dependencies = 0;
  std::vector<Tensor> buffer;
};

// The leaf's node: adds the incoming gradient into leaf.grad.
struct AccumulateGrad : Node {
  explicit AccumulateGrad(std::weak_ptr<TensorImpl> leaf) : leaf(std::move(leaf)) {}
  std::string name() const override { return "AccumulateGrad"; }
  std::vector<Tensor> apply(const std::vector<Tensor>& grads) override;
  std::weak_ptr<TensorImpl> leaf;
};

// A tensor kept for backward. Saving an op's own output directly would make a cycle
// (output -> grad_fn -> output), so outputs keep only a weak link to their grad_fn and are
// re-attached on unpack (needed for create_graph).
class SavedTensor {
 public:
  SavedTensor() = default;
  SavedTensor(const Tensor& t, bool is_output);
  Tensor unpack() const;
  void reset() { data_ = Tensor(); fn_.reset(); }
  bool defined() const { return data_.defined(); }

 private:
  Tensor data_;
  std::weak_ptr<Node> fn_;
  uint32_t output_nr_ = 0;
  bool is_output_ = false;
};

// The edge that gradients for t flow into: its grad_fn, its AccumulateGrad, or none.
Edge gradient_edge(const Tensor& t);
// True when grad mode is on and any of the tensors requires grad.
bool any_requires_grad(std::initializer_list<const Tensor*> ts);
bool any_requires_grad(const std::vector<Tensor>& ts);
// Makes `node` the grad_fn of `out` (output number nr).
void set_history(Tensor& out, const std::shared_ptr<Node>& node, uint32_t nr = 0);

// Records node as out's grad_fn with edges to inputs, if any input requires grad.
// Returns the node (null when nothing was recorded) so the caller can fill its saved fields.
template <class N, class... Args>
std::shared_ptr<N> record(Tensor& out, std::initializer_list<const Tensor*> inputs,
                          Args&&... args) {
  if (!any_requires_grad(inputs)) return nullptr;
  auto node = std::make_shared<N>(std::forward<Args>(args)...);
  node->next_edges.reserve(inputs.size());
  for (const Tensor* in : inputs) node->next_edges.push_back(gradient_edge(*in));
  set_history(out, node);
  return node;
}
template <class N>
std::shared_ptr<N> record(Tensor& out, const std::vector<Tensor>& inputs) {
  if (!any_requires_grad(inputs)) return nullptr;
  auto node = std::make_shared<N>();
  node->next_edges.reserve(inputs.size());
  for (const Tensor& in : inputs) node->next_edges.push_back(gradient_edge(in));
  set_history(out, node);
  return node;
}

// True when the input at position i of this node needs a gradient.
inline bool needs_grad(const Node& n, std::size_t i) {
  return i < n.next_edges.size() && n.next_edges[i].valid();
}

}  // namespace gf::autograd
