// gf::nn::Module — the base of every layer, shaped like torch::nn::Module.
//
// A module owns named parameters (trainable tensors), named buffers (state that is saved but not
// trained) and named child modules, all registered at construction in a fixed order:
//
//   struct MLP : gf::nn::Module {
//     std::shared_ptr<gf::nn::Linear> fc1, fc2;
//     MLP() : Module("MLP") {
//       fc1 = register_module("fc1", std::make_shared<gf::nn::Linear>(784, 256));
//       fc2 = register_module("fc2", std::make_shared<gf::nn::Linear>(256, 10));
//     }
//     gf::Tensor forward(const gf::Tensor& x) override { return
//     fc2->forward(gf::relu(fc1->forward(x))); }
//   };
//
// The dotted names (`fc1.weight`, `0.bias`) are the keys of named_parameters() and state_dict(),
// identical to what PyTorch produces for the same model, and they become safetensors keys.
// Tensors are handles: the member `weight` of a Linear and the registered entry share one
// TensorImpl, and load_state_dict()/to() update that impl in place, so member handles stay valid.
#pragma once
#include <iosfwd>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "gradflow/dtype.hpp"
#include "gradflow/tensor.hpp"

namespace gf::nn {

// Ordered name -> tensor, in registration order (module's own entries first, then children's).
using StateDict = std::vector<std::pair<std::string, Tensor>>;

class Module {
 public:
  // `type_name` is what printing shows: "Linear", "Sequential", "MLP", ...
  explicit Module(std::string type_name = "Module");
  virtual ~Module() = default;
  Module(const Module&) = default;  // copies share parameters (tensors are handles)
  Module(Module&&) = default;
  Module& operator=(const Module&) = default;
  Module& operator=(Module&&) = default;

  // The computation. The base version throws gf::Error (containers like Sequential override it).
  virtual Tensor forward(const Tensor& input);
  Tensor operator()(const Tensor& input) { return forward(input); }

  // ---- registration (call from the constructor; names must be unique and contain no '.') ----
  // Marks `tensor` requires_grad (when requires_grad) and returns the stored handle.
  Tensor& register_parameter(const std::string& name, Tensor tensor, bool requires_grad = true);
  Tensor& register_buffer(const std::string& name, Tensor tensor);
  template <class M>
  std::shared_ptr<M> register_module(const std::string& name, std::shared_ptr<M> module) {
    register_module_impl(name, module);
    return module;
  }

  // ---- traversal (pre-order: own entries first, then each child's, in registration order) ----
  std::vector<Tensor> parameters(bool recurse = true) const;
  StateDict named_parameters(bool recurse = true) const;
  std::vector<Tensor> buffers(bool recurse = true) const;
  StateDict named_buffers(bool recurse = true) const;
  std::vector<std::shared_ptr<Module>> children() const;
  const std::vector<std::pair<std::string, std::shared_ptr<Module>>>& named_children() const {
    return children_;
  }
  // This module (name "") and every descendant ("fc1", "0", "block.0", ...).
  std::vector<std::pair<std::string, Module*>> named_modules();

  // ---- training helpers ----
  // Zeroes every parameter's .grad in place (PyTorch 1.13's default) or drops it (set_to_none).
  void zero_grad(bool set_to_none = false);
  virtual void train(bool on = true);  // recursive; Dropout reads is_training()
  void eval() { train(false); }
  bool is_training() const { return training_; }

  // ---- checkpoints ----
  // Parameters and buffers by dotted name (detached handles sharing storage with the module).
  StateDict state_dict() const;
  // Copies values in place. Checks names and shapes like PyTorch: missing/unexpected keys
  // (when strict) and shape mismatches throw gf::Error, e.g.
  //   "load_state_dict: size mismatch for fc1.weight: copying a param with shape [3, 5] from
  //    checkpoint, the shape in current model is [4, 5]."
  void load_state_dict(const StateDict& state, bool strict = true);

  // Converts every floating parameter and buffer to dtype, in place (handles stay valid).
  Module& to(DType dtype);

  // ---- printing like PyTorch ----
  const std::string& type_name() const { return type_name_; }
  // One-line description inside the parentheses: "in_features=5, out_features=3, bias=True".
  virtual std::string extra_repr() const { return ""; }
  std::string repr() const;  // "Linear(in_features=5, ...)", Sequential lists "(0): ..."

 protected:
  void register_module_impl(const std::string& name, std::shared_ptr<Module> module);

 private:
  void collect(const std::string& prefix, bool recurse, bool params, StateDict& out) const;
  void check_name(const std::string& name, const char* what) const;

  std::string type_name_;
  bool training_ = true;
  StateDict parameters_;
  StateDict buffers_;
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> children_;
};

std::ostream& operator<<(std::ostream& out, const Module& module);

// PyTorch's repr of a parameter: "Parameter containing:\ntensor([...], requires_grad=True)".
std::string parameter_repr(const Tensor& parameter);
void print_parameter(std::ostream& out, const Tensor& parameter);

}  // namespace gf::nn
