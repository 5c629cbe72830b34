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
// Contract:
// - apply(args...) calls Derived::forward(ctx, args...) under NoGradGuard (the ops inside are not
//   recorded); arguments that are gf::Tensor are the op's inputs, any other argument (a double, an
//   int) is passed through unchanged and gets no gradient.
// - If any tensor input requires grad (and grad mode is on), the output gets one grad_fn whose
//   name is Derived::name() + "Backward" when Derived defines `static std::string name()`, else the
//   class name without namespaces + "Backward" — what PyTorch prints for a Python
//   torch.autograd.Function subclass ("MultiplyGateBackward").
// - backward(ctx, grad_outputs) gets one gradient (dL/d output) and returns one gradient per
//   tensor input, in order (or one per argument of forward, undefined for non-tensors). An
//   undefined gradient means "none". Each must have its input's shape (gf::Error otherwise).
//   backward is itself recorded when create_graph is set, so write it with differentiable ops.
// - ctx.save_for_backward keeps tensors for backward (inputs or the output: saving the output does
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

  std::map<std::string, double> saved_data;  // non-tensor values, e.g. saved_data["k"] = 2.0

  // ---- used by Function::apply and its node ----
  // Turns the tensors to save into SavedTensors; `output` (fresh: not an input) is saved weakly.
  void pack_saved(const Tensor& output, bool output_is_fresh);
  void release();
  bool has_saved() const { return !saved_.empty(); }
  std::vector<bool> input_needs_grad;

 private:
  std::vector<Tensor> to_save_;
  std::vector<SavedTensor> saved_;
  bool released_ = false;
};

namespace detail {
// "ns::(anonymous namespace)::MultiplyGate" -> "MultiplyGate" (demangled, namespaces dropped).
std::string short_type_name(const std::type_info& type);

// The grad_fn of a custom function: calls back into the user's backward.
struct CustomNodeBase : Node {
  Context ctx;
  std::string node_name;
  std::vector<Shape> input_shapes;
  std::vector<DType> input_dtypes;
  std::vector<std::size_t> tensor_positions;  // position of each tensor input among the args
  std::size_t num_args = 0;
  std::string name() const override { return node_name; }
  void release_saved() override { ctx.release(); }
  // Checks and maps the user's gradients onto the inputs.
  std::vector<Tensor> finish(std::vector<Tensor> grads) const;
};

template <class T>
constexpr bool is_tensor_v = std::is_same_v<std::remove_cvref_t<T>, Tensor>;

template <class D, class = void>
struct has_name : std::false_type {};
template <class D>
struct has_name<D, std::void_t<decltype(D::name())>> : std::true_type {};
}  // namespace detail

template <class Derived>
struct Function {
  template <class... Args>
  static Tensor apply(Args&&... args) {
    struct CustomNode final : detail::CustomNodeBase {
      std::vector<Tensor> apply(const std::vector<Tensor>& grad_outputs) override {
        for (std::size_t i = 0; i < next_edges.size(); ++i)
          ctx.input_needs_grad[i] = next_edges[i].valid();
        return finish(Derived::backward(ctx, grad_outputs));
      }
    };
    std::vector<Tensor> inputs;
    std::vector<std::size_t> positions;
    std::size_t pos = 0;
    auto collect = [&](const auto& a) {
      if constexpr (detail::is_tensor_v<decltype(a)>) {
        inputs.push_back(a);
        positions.push_back(pos);
      }
      ++pos;
    };
    (collect(args), ...);

    auto node = std::make_shared<CustomNode>();
    Tensor out;
    {
      NoGradGuard no_grad;
      out = Derived::forward(node->ctx, std::forward<Args>(args)...);
    }
    GF_CHECK(out.defined(), short_name(), ".forward returned an undefined tensor");
    if (!any_requires_grad(inputs)) return out;

    // The output gets its own handle when forward handed back an input (or another tensor with
    // history of its own), so that setting its grad_fn leaves that tensor untouched.
    bool alias = out.requires_grad();
    for (const Tensor& in : inputs) alias = alias || in.impl_ptr() == out.impl_ptr();
    if (alias) out = out.detach();

    node->node_name = short_name() + "Backward";
    node->num_args = pos;
    node->tensor_positions = std::move(positions);
    node->next_edges.reserve(inputs.size());
    node->ctx.input_needs_grad.assign(inputs.size(), false);
    for (const Tensor& in : inputs) {
      node->next_edges.push_back(gradient_edge(in));
      node->input_shapes.push_back(in.sizes());
      node->input_dtypes.push_back(in.dtype());
    }
    set_history(out, node);
    node->ctx.pack_saved(out, !alias);
    node->has_saved = node->ctx.has_saved();
    return out;
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
