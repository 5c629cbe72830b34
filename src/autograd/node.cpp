#include "gradflow/autograd/node.hpp"

#include "../kernels/elementwise.hpp"
#include "gradflow/ops.hpp"

namespace gf::autograd {


namespace {
// The legacy tensor-type names PyTorch prints in the in-place error ("torch.FloatTensor").
std::string torch_type_name(DType dt) {
  std::string n = dtype_name(dt);  // "torch.float32"
  if (dt == DType::Float32) return "torch.FloatTensor";
  if (dt == DType::Float64) return "torch.DoubleTensor";
  if (dt == DType::Int64) return "torch.LongTensor";
  return n;
}
}  // namespace

// Destroying the last handle on a long chain would destroy node after node recursively. Instead,
// the edges of every node about to die are moved onto an explicit stack first, so each node's
// own destructor finds nothing left to free. Saved tensors only point at nodes that are also on
// the stack (a node's inputs are its edges), so dropping them cascades no further.
Node::~Node() {
  SmallVector<std::shared_ptr<Node>, 8> stack;  // inline: a small graph frees without a malloc
  for (Edge& e : next_edges)
    if (e.fn) stack.push_back(std::move(e.fn));
  next_edges.clear();
  while (!stack.empty()) {
    std::shared_ptr<Node> n = std::move(stack.back());
    stack.pop_back();
    if (n.use_count() == 1) {
      for (Edge& e : n->next_edges)
        if (e.fn) stack.push_back(std::move(e.fn));
      n->next_edges.clear();
    }
  }
}

// leaf.grad += g. A shared first gradient is copied so that later in-place accumulation never
// writes into a buffer another leaf (or the caller) shares; with create_graph the sum stays
// recorded.
Grads AccumulateGrad::apply(const Grads& grads) {
  auto impl = leaf.lock();
  const Tensor& g = grads[0];
  if (!impl || !g.defined()) return {};
  Tensor var(impl);
  GF_CHECK(g.sizes() == impl->sizes, "backward: gradient of shape ", g.sizes(),
           " does not match leaf of shape ", impl->sizes);
  // A leaf hook that has already accumulated the gradient into .grad itself returns .grad (the
  // same tensor, not an equal one): there is nothing left to add. distributed::DataParallel's
  // hooks write each gradient straight into its bucket, which .grad is a view of.
  if (impl->grad && impl->grad == g.impl_ptr()) return {};
  if (is_grad_enabled()) {  // create_graph: keep the history of the gradient
    impl->grad = impl->grad ? (Tensor(impl->grad) + g).impl_ptr() : g.impl_ptr();
  } else if (!impl->grad) {
    // A gradient nobody else holds (the engine's buffer is its only handle, no view shares its
    // storage) becomes .grad as is, like PyTorch's AccumulateGrad; anything shared is copied.
    const TensorImpl& gi = g.impl();
    bool sole = g.impl_ptr().use_count() == 1 && gi.storage.use_count() == 1 && !gi.grad_fn &&
                !gi.requires_grad && gi.dtype == impl->dtype && g.is_contiguous();
    impl->grad = sole ? g.impl_ptr() : g.detach().clone().impl_ptr();
  } else {
    Tensor acc(impl->grad);
    if (acc.requires_grad() || !acc.is_contiguous()) {
      impl->grad = (acc.detach() + g).impl_ptr();
    } else {
      // in place, reading g through its strides
      Tensor gg = g.dtype() == acc.dtype() ? g : g.to(acc.dtype());
      dispatch(acc.dtype(), [&](auto tag) {
        using T = decltype(tag);
        kernels::binary_into<T, T>(acc, gg, acc.sizes(), acc.data_ptr<T>(),
                                   [](T a, T b) { return a + b; });
      });
    }
  }
  return {};
}

SavedTensor::SavedTensor(const Tensor& t, bool is_output) : is_output_(is_output) {
  if (!t.defined()) return;
  saved_any_ = true;
  version_ = t.impl().storage->version;
  if (is_output) {
    data_ = t.detach();
    fn_ = t.grad_fn();
    output_nr_ = t.output_nr();
  } else {
    data_ = t;
  }
}

Tensor SavedTensor::unpack() const {
  GF_CHECK(data_.defined(),
           "backward: saved tensors were already freed; "
           "call backward with retain_graph=true to backward through the graph a second time");
  if (uint32_t now = data_.impl().storage->version; now != version_) {
    std::string where = "";
    std::shared_ptr<Node> producer = is_output_ ? fn_.lock() : data_.grad_fn();
    uint32_t nr = is_output_ ? output_nr_ : data_.output_nr();
    if (producer)
      where = ", which is output " + std::to_string(nr) + " of " + producer->name() + ",";
    GF_CHECK(false,
             "one of the variables needed for gradient computation has been modified by "
             "an inplace operation: [",
             torch_type_name(data_.dtype()), " ", data_.sizes(), "]", where, " is at version ", now,
             "; expected version ", version_,
             " instead. Hint: enable anomaly detection to find the operation that failed to "
             "compute its gradient, with autograd::set_detect_anomaly(true).");
  }
  if (!is_output_) return data_;
  auto fn = fn_.lock();
  if (!fn) return data_;
  Tensor out = data_.detach();
  out.impl().grad_fn = fn;
  out.impl().output_nr = output_nr_;
  return out;
}

Edge gradient_edge(const Tensor& t) {
  if (!t.defined()) return {};
  TensorImpl& impl = t.impl();
  if (impl.grad_fn) return {impl.grad_fn, impl.output_nr};
  if (!impl.requires_grad) return {};
  std::shared_ptr<Node> acc = impl.grad_accumulator.lock();
  if (!acc) {
    // pooled like every node: a leaf's accumulator dies with each step's graph and is made
    // again by the next step (two mallocs and frees per step of the seed-003 model)
    acc = std::allocate_shared<AccumulateGrad>(detail::NodeAllocator<AccumulateGrad>(),
                                               t.impl_ptr());
    impl.grad_accumulator = acc;
  }
  return {acc, 0};
}

bool any_requires_grad(std::initializer_list<const Tensor*> ts) {
  if (!is_grad_enabled()) return false;
  for (const Tensor* t : ts)
    if (t->defined() && t->requires_grad()) return true;
  return false;
}

bool any_requires_grad(const std::vector<Tensor>& ts) {
  if (!is_grad_enabled()) return false;
  for (const Tensor& t : ts)
    if (t.defined() && t.requires_grad()) return true;
  return false;
}

namespace detail {

template <class Span>
void attach_inputs(Node& node, Span inputs, const Tensor& out) {
  node.next_edges.reserve(inputs.size());
  bool differs = false;
  for (const Tensor& t : inputs) {
    node.next_edges.push_back(gradient_edge(t));
    differs = differs || (t.defined() && (t.sizes() != out.sizes() || t.dtype() != out.dtype()));
  }
  if (!differs) return;
  node.input_meta = std::make_unique<InputMeta[]>(inputs.size());
  std::size_t i = 0;
  for (const Tensor& t : inputs) {
    if (t.defined()) node.input_meta[i] = {t.sizes(), t.dtype()};
    ++i;
  }
}

void attach(Node& node, std::span<const std::reference_wrapper<const Tensor>> inputs,
            const Tensor& out) {
  attach_inputs(node, inputs, out);
}

void attach(Node& node, std::span<const Tensor> inputs, const Tensor& out) {
  attach_inputs(node, inputs, out);
}

void set_outputs(const std::shared_ptr<Node>& node,
                 std::span<const std::reference_wrapper<Tensor>> outs) {
  node->num_outputs = static_cast<uint32_t>(outs.size());
  for (std::size_t k = 0; k < outs.size(); ++k)
    set_history(outs[k].get(), node, static_cast<uint32_t>(k));
}

bool is_one_of(const Tensor& t, std::span<const std::reference_wrapper<Tensor>> outs) {
  if (!t.defined()) return false;
  for (const Tensor& o : outs)
    if (o.defined() && o.impl_ptr() == t.impl_ptr()) return true;
  return false;
}

}  // namespace detail

void set_history(Tensor& out, const std::shared_ptr<Node>& node, uint32_t nr) {
  out.impl().grad_fn = node;
  out.impl().output_nr = nr;
}

}  // namespace gf::autograd
