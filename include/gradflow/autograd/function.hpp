// Custom differentiable ops, like libtorch's torch::autograd::Function: a user writes the forward
// and the backward of a "gate" (seed 001) and autograd chains it with every other op.
//
//   struct MultiplyGate : gf::autograd::Function<MultiplyGate> {
//     static Tensor forward(Context& ctx, const Tensor& x, const Tensor& y) {
//       ctx.save_for_backward({x, y});
//       return x * y;                                  // z = x y
//     }
//     // dL/dx = y dL/dz,  dL/dy = x dL/dz
//     static std::vector<Tensor> backward(Context& ctx, const std::vector<Tensor>& grad_out) {
//       auto s = ctx.saved_tensors();
//       return {s[1] * grad_out[0], s[0] * grad_out[0]};
//     }
//   };
//   Tensor z = MultiplyGate::apply(x, y);              // z.grad_fn_name() ==
//   "MultiplyGateBackward"
//
// Several inputs and outputs (libtorch's variable_list), as a user writes them:
//
//   // (s, d) = (x + y, x - y), and the Int64 argmax of x, marked non-differentiable
//   struct SumDiff : gf::autograd::Function<SumDiff> {
//     static std::vector<Tensor> forward(Context& ctx, const Tensor& x, const Tensor& y) {
//       Tensor idx = argmax(x);
//       ctx.mark_non_differentiable({idx});
//       return {x + y, x - y, idx};
//     }
//     // dL/dx = ds + dd,  dL/dy = ds - dd   (dL/didx arrives as zeros and is ignored)
//     static std::vector<Tensor> backward(Context&, const std::vector<Tensor>& g) {
//       return {g[0] + g[1], g[0] - g[1]};
//     }
//   };
//   auto outs = SumDiff::apply(x, y);                   // std::vector<Tensor>, one node
//
// Contract:
// - apply(args...) calls Derived::forward(ctx, args...) under NoGradGuard (the ops inside are not
//   recorded); arguments that are gf::Tensor are the op's inputs, so is every element of a
//   std::vector<Tensor> argument (libtorch's TensorList); any other argument (a double, an int) is
//   passed through unchanged and gets no gradient.
// - forward returns a Tensor (apply returns that Tensor) or a std::vector<Tensor> (apply returns
//   the vector): output k is output number k of one grad_fn. An undefined output is an error.
// - If any tensor input requires grad (and grad mode is on), the outputs get one grad_fn whose
//   name is Derived::name() + "Backward" when Derived defines `static std::string name()`, else the
//   class name without namespaces + "Backward" — what PyTorch prints for a Python
//   torch.autograd.Function subclass ("MultiplyGateBackward").
// - ctx.mark_non_differentiable({outputs...}) inside forward: those outputs get no grad_fn and do
//   not require grad; outputs of an integer or Bool dtype are non-differentiable anyway (torch).
// - backward(ctx, grad_outputs) gets one gradient per output, in order; an output that received
//   none (not used, or non-differentiable) gets zeros of its shape, as torch's materialize_grads
//   (ctx.set_materialize_grads(false): an undefined tensor instead). It returns one gradient per
//   tensor input, in order (or one per argument of forward, undefined for non-tensors); trailing
//   undefined gradients beyond those are ignored, like torch's trailing Nones. An undefined
//   gradient means "none". Each must have its input's shape (gf::Error otherwise). backward is
//   itself recorded when create_graph is set, so write it with differentiable ops.
// - ctx.save_for_backward keeps tensors for backward (inputs or outputs: saving an output does
//   not make a reference cycle); after a backward without retain_graph they are freed and a second
//   backward is a gf::Error. ctx.saved_data holds non-tensor values by name.
#pragma once
#include <map>
#include <memory>
#include <string>
#include <type_traits>
#include <typeinfo>
#include <utility>
#include <vector>

#include "gradflow/autograd/node.hpp"
#include "gradflow/tensor.hpp"

namespace gf::autograd {

struct Context {
  void save_for_backward(std::vector<Tensor> tensors);
  // The saved tensors, in the order given (throws gf::Error after they were freed).
  std::vector<Tensor> saved_tensors() const;
  // Whether input i (counting tensor inputs only) needs a gradient; valid inside backward.
  bool needs_input_grad(std::size_t i) const;
  // Inside forward: these outputs get no gradient (indices, masks, counts).
  void mark_non_differentiable(const std::vector<Tensor>& outputs);
  // Whether backward receives zeros (true, the default) or undefined tensors for outputs that
  // got no gradient.
  void set_materialize_grads(bool on) { materialize_grads_ = on; }

  std::map<std::string, double> saved_data;  // non-tensor values, e.g. saved_data["k"] = 2.0

  // ---- used by Function::apply and its node ----
  // Turns the tensors to save into SavedTensors; an output whose grad_fn is the new node
  // (output_is_fresh[k]) is saved weakly.
  void pack_saved(const std::vector<Tensor>& outputs, const std::vector<bool>& output_is_fresh);
  void release();
  bool has_saved() const { return !saved_.empty(); }
  bool is_non_differentiable(const Tensor& output) const;
  bool materialize_grads() const { return materialize_grads_; }
  std::vector<bool> input_needs_grad;

 private:
  std::vector<Tensor> to_save_;
  std::vector<SavedTensor> saved_;
  std::vector<Tensor> non_differentiable_;
  bool released_ = false;
  bool materialize_grads_ = true;
};

namespace detail {
// "ns::(anonymous namespace)::MultiplyGate" -> "MultiplyGate" (demangled, namespaces dropped).
std::string short_type_name(const std::type_info& type);

// The grad_fn of a custom function: calls back into the user's backward.
// (shared_from_this lives here, not on every Node: a weak self-reference costs each op's node a
// weak-count update at creation and the slow release path at destruction.)
struct CustomNodeBase : Node, std::enable_shared_from_this<CustomNodeBase> {
  Context ctx;
  std::string node_name;
  std::vector<Shape> input_shapes;
  std::vector<DType> input_dtypes;
  std::vector<std::size_t> tensor_positions;  // position of each tensor input among the args
  std::size_t num_args = 0;
  std::vector<Shape> output_shapes;  // for materialising the gradients of unused outputs
  std::vector<DType> output_dtypes;
  std::string name() const override { return node_name; }
  void release_saved() override { ctx.release(); }
  // After forward: checks the outputs and, when an input requires grad, makes this node their
  // grad_fn (outputs that alias an input or carry history of their own get a fresh handle).
  void wire(const std::string& name, const std::vector<Tensor>& inputs,
            std::vector<std::size_t> positions, std::size_t args, std::vector<Tensor>& outputs);
  // The gradients handed to the user's backward: zeros for outputs that got none (materialize).
  std::vector<Tensor> grad_outputs_for_user(const std::vector<Tensor>& grads);
  // Checks and maps the user's gradients onto the inputs.
  std::vector<Tensor> finish(std::vector<Tensor> grads) const;
};

template <class T>
constexpr bool is_tensor_v = std::is_same_v<std::remove_cvref_t<T>, Tensor>;
template <class T>
constexpr bool is_tensor_list_v = std::is_same_v<std::remove_cvref_t<T>, std::vector<Tensor>>;

template <class D, class = void>
struct has_name : std::false_type {};
template <class D>
struct has_name<D, std::void_t<decltype(D::name())>> : std::true_type {};
}  // namespace detail

template <class Derived>
struct Function {
  // Returns what Derived::forward returns: a Tensor or a std::vector<Tensor>.
  template <class... Args>
  static auto apply(Args&&... args) {
    using R = std::remove_cvref_t<decltype(Derived::forward(std::declval<Context&>(),
                                                            std::forward<Args>(args)...))>;
    static_assert(std::is_same_v<R, Tensor> || std::is_same_v<R, std::vector<Tensor>>,
                  "Function: forward must return a Tensor or a std::vector<Tensor>");
    struct CustomNode final : detail::CustomNodeBase {
      Grads apply(const Grads& grad_outputs) override {
        for (std::size_t i = 0; i < next_edges.size(); ++i)
          ctx.input_needs_grad[i] = next_edges[i].valid();
        return finish(Derived::backward(ctx, grad_outputs_for_user(grad_outputs)));
      }
    };
    std::vector<Tensor> inputs;
    std::vector<std::size_t> positions;
    std::size_t pos = 0;
    auto collect = [&](const auto& a) {
      if constexpr (detail::is_tensor_v<decltype(a)>) {
        inputs.push_back(a);
        positions.push_back(pos++);
      } else if constexpr (detail::is_tensor_list_v<decltype(a)>) {
        for (const Tensor& t : a) {
          inputs.push_back(t);
          positions.push_back(pos++);
        }
      } else {
        ++pos;
      }
    };
    (collect(args), ...);

    auto node = std::make_shared<CustomNode>();
    std::vector<Tensor> outs;
    {
      NoGradGuard no_grad;
      if constexpr (std::is_same_v<R, Tensor>)
        outs.push_back(Derived::forward(node->ctx, std::forward<Args>(args)...));
      else
        outs = Derived::forward(node->ctx, std::forward<Args>(args)...);
    }
    node->wire(short_name(), inputs, std::move(positions), pos, outs);
    if constexpr (std::is_same_v<R, Tensor>)
      return outs[0];
    else
      return outs;
  }

 private:
  static std::string short_name() {
    if constexpr (detail::has_name<Derived>::value) {
      return std::string(Derived::name());
    } else {
      return detail::short_type_name(typeid(Derived));
    }
  }
};

}  // namespace gf::autograd
