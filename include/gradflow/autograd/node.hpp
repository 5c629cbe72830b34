// The backward graph. Each op that records history creates one Node (its grad_fn) holding what
// its backward reads and one Edge per input pointing at the Node that produced that input (or at
// the leaf's AccumulateGrad). The engine (engine.cpp) walks these in topological order.
#pragma once
#include <array>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "gradflow/autograd/small_vector.hpp"
#include "gradflow/tensor.hpp"

namespace gf::autograd {

struct Node;

struct Edge {
  std::shared_ptr<Node> fn;  // null: that input needs no gradient
  uint32_t input_nr = 0;     // which output of fn the input was
  bool valid() const { return fn != nullptr; }
};

// An input's shape and dtype when it was recorded: the engine sums a returned gradient to this
// shape (undoing broadcasting) and casts it to this dtype, once, for every op.
struct InputMeta {
  Shape shape;
  DType dtype = DType::Float32;
};

// The gradients a backward receives (one per output) and returns (one per input): inline up to
// three, so a backward allocates no list (converts to and from std::vector<Tensor>).
using Grads = SmallVector<Tensor, 3>;
// A node's edges, one per forward input, inline up to three.
using EdgeList = SmallVector<Edge, 3>;

struct Node {
  // Frees the graph behind this node iteratively: a 100,000-node chain must not recurse.
  virtual ~Node();
  // PyTorch's grad_fn name, e.g. "MulBackward0".
  virtual std::string name() const = 0;
  // Given dL/d(output) for each output, returns dL/d(input) for each input (undefined where an
  // input needs none). Written with differentiable ops, so create_graph records it.
  virtual Grads apply(const Grads& grad_outputs) = 0;
  // Frees the tensors saved for backward (after a backward without retain_graph).
  virtual void release_saved() {}
  // Saved tensors, for viz (show_saved): name and tensor.
  virtual std::vector<std::pair<std::string, Tensor>> saved() const { return {}; }

  EdgeList next_edges;  // one per forward input
  // One per input, kept only when some input's shape or dtype differs from the output's (a
  // broadcast or a promotion): most nodes need none, and the per-op path stays allocation-lean.
  std::unique_ptr<InputMeta[]> input_meta;
  uint32_t num_outputs = 1;
  bool has_saved = false;  // backward reads saved tensors: a second pass after release is an error
  bool released = false;
  bool is_accumulator = false;  // an AccumulateGrad (a leaf's node)

  // Hooks registered on this node's outputs (Tensor::register_hook on a non-leaf): handle,
  // output number, hook. Run on the incoming gradient before apply.
  struct PreHook {
    std::size_t handle;
    uint32_t output_nr;
    std::function<Tensor(const Tensor&)> fn;
  };
  std::unique_ptr<std::vector<PreHook>> pre_hooks;

  // A non-leaf output that asked for retain_grad(): receives its gradient in .grad.
  std::weak_ptr<TensorImpl> retained_output;

  // Engine scratch space (one backward at a time per graph).
  uint64_t visit_id = 0;
  int dependencies = 0;
  bool needed = true;  // autograd::grad: on a path to a requested input
  Grads buffer;
};

// The leaf's node: adds the incoming gradient into leaf.grad.
struct AccumulateGrad : Node {
  explicit AccumulateGrad(std::weak_ptr<TensorImpl> leaf) : leaf(std::move(leaf)) {
    is_accumulator = true;
  }
  std::string name() const override { return "AccumulateGrad"; }
  Grads apply(const Grads& grads) override;
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
  // Like unpack, but a tensor that was never saved (undefined) unpacks to an undefined tensor.
  Tensor unpack_or_undefined() const { return saved_any_ ? unpack() : Tensor(); }
  void reset() {
    data_ = Tensor();
    fn_.reset();
  }
  bool defined() const { return data_.defined(); }

 private:
  Tensor data_;
  std::weak_ptr<Node> fn_;
  uint32_t output_nr_ = 0;
  uint32_t version_ = 0;  // the storage's version when saved
  bool is_output_ = false;
  bool saved_any_ = false;
};

// Runs the hooks registered on the tensors whose gradients arrive at node (hooks.cpp).
void run_pre_hooks(Node& node, Grads& grads);

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

// ---- The op form: an op is one block --------------------------------------------------------
// Each differentiable op writes its derivative, forward, backward, grad_fn name and saved
// tensors together (src/ops/arithmetic.cpp is the model):
//
//   // d(a-b)/da = 1, d(a-b)/db = -1
//   Tensor sub(const Tensor& a, const Tensor& b) {
//     Tensor out = kernels::binary(a, b, std::minus<>{}, "sub");
//     autograd::record(out, "SubBackward0", {a, b}, [](const Tensor& g) -> Grads {
//       return {g, -g};
//     });
//     return out;
//   }
//
//   // d(ab)/da = b, d(ab)/db = a   (seed 001's MultiplyGate)
//   autograd::record(out, "MulBackward0", {a, b}, {{"self", a}, {"other", b}},
//                    [](const Tensor& g, const Tensor& a, const Tensor& b) -> Grads {
//                      return {g * b, g * a};
//                    });
//
// The backward lambda receives the output's gradient and then the saved tensors, in the order
// they were named; it returns one gradient per input (undefined where there is none). It may
// capture plain values (dims, sizes) by copy. The engine sums each returned gradient to its
// input's shape and casts it to its dtype, so broadcasting ops return the bare formula.
// A lambda that needs more takes `const Backward&` first instead of the gradient: grad(k) /
// grads() (one per output, for multi-output ops) and needs(i) (does input i want a gradient?).
// Use needs(i) whenever an input's gradient costs real work (a product, a GEMM): x * W with
// data x must not compute dL/dx. Measured: on the 1,000-op chain (y * c with constant c),
// computing the unneeded product costs 35% more instructions.
// Saved tensors are registered by name: show_saved, release after backward and the "backward
// twice" error all come from the node, never from the op. Saving an op's own output is
// detected and stored without a reference cycle. Nothing is recorded (and nothing saved) when
// no input requires grad or grad mode is off.

struct Backward {
  const Grads& grads_;
  const Node& node;
  const Tensor& grad(std::size_t k = 0) const { return grads_[k]; }
  const Grads& grads() const { return grads_; }
  bool needs(std::size_t i) const { return needs_grad(node, i); }
};

// One saved tensor: its name (PyTorch's, e.g. "self", "other", "result") and the tensor (may be
// undefined when the op saves it only if some input needs it).
struct SaveArg {
  const char* name;
  const Tensor& tensor;
};

namespace detail {
template <std::size_t>
using SavedArg = const Tensor&;

// Nodes come from the per-thread small-object pool (core/allocator.hpp): a graph of a thousand
// scalar ops is made and freed at every step.
void* allocate_node(std::size_t nbytes);
void free_node(void* p, std::size_t nbytes);
template <class T>
struct NodeAllocator {
  using value_type = T;
  NodeAllocator() = default;
  template <class U>
  NodeAllocator(const NodeAllocator<U>&) {}  // NOLINT(google-explicit-constructor)
  T* allocate(std::size_t n) { return static_cast<T*>(allocate_node(n * sizeof(T))); }
  void deallocate(T* p, std::size_t n) { free_node(p, n * sizeof(T)); }
  template <class U>
  bool operator==(const NodeAllocator<U>&) const {
    return true;
  }
};

template <class F, std::size_t N>
struct FnNode final : Node {
  FnNode(const char* n, F&& f) : name_(n), fn_(std::move(f)) {}
  std::string name() const override { return name_; }
  Grads apply(const Grads& g) override { return call(g, std::make_index_sequence<N>{}); }
  void release_saved() override {
    for (SavedTensor& s : saved_) s.reset();
  }
  std::vector<std::pair<std::string, Tensor>> saved() const override {
    std::vector<std::pair<std::string, Tensor>> r;
    for (std::size_t i = 0; i < N; ++i)
      if (saved_[i].defined()) r.emplace_back(names_[i], saved_[i].unpack());
    return r;
  }

  template <std::size_t... I>
  Grads call(const Grads& g, std::index_sequence<I...>) {
    if constexpr (std::is_invocable_v<F&, const Tensor&, SavedArg<I>...>)
      return fn_(g[0], saved_[I].unpack_or_undefined()...);
    else
      return fn_(Backward{g, *this}, saved_[I].unpack_or_undefined()...);
  }

  const char* name_;
  std::array<const char*, N> names_{};
  std::array<SavedTensor, N> saved_{};
  F fn_;
};

// Inline: every op asks, once.
inline bool grad_enabled_for(std::span<const std::reference_wrapper<const Tensor>> inputs) {
  if (!is_grad_enabled()) return false;
  for (const Tensor& t : inputs)
    if (t.defined() && t.requires_grad()) return true;
  return false;
}
inline bool grad_enabled_for(std::span<const Tensor> inputs) {
  if (!is_grad_enabled()) return false;
  for (const Tensor& t : inputs)
    if (t.defined() && t.requires_grad()) return true;
  return false;
}
void attach(Node& node, std::span<const std::reference_wrapper<const Tensor>> inputs,
            const Tensor& out);
void attach(Node& node, std::span<const Tensor> inputs, const Tensor& out);
void set_outputs(const std::shared_ptr<Node>& node,
                 std::span<const std::reference_wrapper<Tensor>> outs);
bool is_one_of(const Tensor& t, std::span<const std::reference_wrapper<Tensor>> outs);

template <class Inputs, class F, std::size_t N>
std::shared_ptr<Node> record_impl(std::span<const std::reference_wrapper<Tensor>> outs,
                                  const char* name, const Inputs& inputs,
                                  std::span<const SaveArg, N> saves, F&& fn) {
  if (!grad_enabled_for(inputs)) return nullptr;
  using NodeType = FnNode<std::decay_t<F>, N>;
  auto node = std::allocate_shared<NodeType>(NodeAllocator<NodeType>(), name, std::forward<F>(fn));
  attach(*node, inputs, outs[0].get());
  set_outputs(node, outs);  // before saving: a saved output links back to its grad_fn
  for (std::size_t i = 0; i < N; ++i) {
    node->names_[i] = saves[i].name;
    node->saved_[i] = SavedTensor(saves[i].tensor, is_one_of(saves[i].tensor, outs));
  }
  node->has_saved = N > 0;
  return node;
}
}  // namespace detail

using TensorRefs = std::initializer_list<std::reference_wrapper<const Tensor>>;

// Records out's grad_fn `name` with an edge per input, saving `saves`, calling `backward`.
// Returns the node (null when nothing was recorded).
template <class F, std::size_t N>
std::shared_ptr<Node> record(Tensor& out, const char* name, TensorRefs inputs,
                             const SaveArg (&saves)[N], F&& backward) {
  std::reference_wrapper<Tensor> o[] = {out};
  return detail::record_impl(o, name, std::span(inputs.begin(), inputs.size()),
                             std::span<const SaveArg, N>(saves), std::forward<F>(backward));
}
template <class F>
std::shared_ptr<Node> record(Tensor& out, const char* name, TensorRefs inputs, F&& backward) {
  std::reference_wrapper<Tensor> o[] = {out};
  return detail::record_impl(o, name, std::span(inputs.begin(), inputs.size()),
                             std::span<const SaveArg, 0>(), std::forward<F>(backward));
}
// A list of inputs known at run time (cat, stack, einsum).
template <class F, std::size_t N>
std::shared_ptr<Node> record(Tensor& out, const char* name, std::span<const Tensor> inputs,
                             const SaveArg (&saves)[N], F&& backward) {
  std::reference_wrapper<Tensor> o[] = {out};
  return detail::record_impl(o, name, inputs, std::span<const SaveArg, N>(saves),
                             std::forward<F>(backward));
}
template <class F>
std::shared_ptr<Node> record(Tensor& out, const char* name, std::span<const Tensor> inputs,
                             F&& backward) {
  std::reference_wrapper<Tensor> o[] = {out};
  return detail::record_impl(o, name, inputs, std::span<const SaveArg, 0>(),
                             std::forward<F>(backward));
}
// Several outputs (split, unbind, max_pool2d_with_indices, sort): one node, output k is
// output number k of it; the backward takes `const Backward&` and reads grads()[k] (undefined
// for outputs that received no gradient).
template <class F, std::size_t N>
std::shared_ptr<Node> record_outputs(std::span<const std::reference_wrapper<Tensor>> outs,
                                     const char* name, TensorRefs inputs, const SaveArg (&saves)[N],
                                     F&& backward) {
  return detail::record_impl(outs, name, std::span(inputs.begin(), inputs.size()),
                             std::span<const SaveArg, N>(saves), std::forward<F>(backward));
}
template <class F>
std::shared_ptr<Node> record_outputs(std::span<const std::reference_wrapper<Tensor>> outs,
                                     const char* name, TensorRefs inputs, F&& backward) {
  return detail::record_impl(outs, name, std::span(inputs.begin(), inputs.size()),
                             std::span<const SaveArg, 0>(), std::forward<F>(backward));
}

}  // namespace gf::autograd
