// gf::optim::Optimizer — the base of SGD, Adam and AdamW, shaped like torch::optim::Optimizer.
//
//   gf::optim::SGD opt(model.parameters(), gf::optim::SGDOptions(0.1).momentum(0.9));
//   for (...) { opt.zero_grad(); loss(model).backward(); opt.step(); }
//
// Parameters live in param groups, each with its own options (a group added without options
// gets a copy of the optimizer's defaults). The update runs on the raw contiguous buffers of
// each parameter and its .grad (no autograd ops, no allocation after the first step); the
// per-parameter state (momentum buffers, Adam moments, step counts) is saved and restored with
// state_dict()/load_state_dict() for checkpoint resume.
#pragma once
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "gradflow/tensor.hpp"

namespace gf::optim {

// Declares a chainable option: `SGDOptions(0.1).momentum(0.9)`; read back with `.momentum()`.
#define GF_OPTIM_ARG(Self, T, name, init)   \
 public:                                    \
  Self& name(const T& value) {              \
    name##_ = value;                        \
    return *this;                           \
  }                                         \
  const T& name() const { return name##_; } \
                                            \
 private:                                   \
  T name##_ = init;                         \
                                            \
 public:

class OptimizerOptions {
 public:
  virtual ~OptimizerOptions() = default;
  virtual std::unique_ptr<OptimizerOptions> clone() const = 0;
  virtual double get_lr() const = 0;  // what schedulers read and write
  virtual void set_lr(double lr) = 0;
};

class OptimizerParamGroup {
 public:
  OptimizerParamGroup(std::vector<Tensor> params);  // NOLINT: takes the optimizer's defaults
  OptimizerParamGroup(std::vector<Tensor> params, std::unique_ptr<OptimizerOptions> options);
  OptimizerParamGroup(const OptimizerParamGroup& other);
  OptimizerParamGroup& operator=(const OptimizerParamGroup& other);
  OptimizerParamGroup(OptimizerParamGroup&&) = default;
  OptimizerParamGroup& operator=(OptimizerParamGroup&&) = default;

  std::vector<Tensor>& params() { return params_; }
  const std::vector<Tensor>& params() const { return params_; }
  bool has_options() const { return options_ != nullptr; }
  OptimizerOptions& options();
  const OptimizerOptions& options() const;
  void set_options(std::unique_ptr<OptimizerOptions> options) { options_ = std::move(options); }

 private:
  std::vector<Tensor> params_;
  std::unique_ptr<OptimizerOptions> options_;
};

// Optimizer state in two parts, both keyed like PyTorch's optimizer.state_dict() flattened:
//   tensors: "state.<i>.<buffer>" (i = the parameter's index across all groups, in order;
//            buffer = momentum_buffer | exp_avg | exp_avg_sq | max_exp_avg_sq)
//   scalars: "state.<i>.step", "param_groups.<g>.lr", "param_groups.<g>.size"
// The tensors go into a safetensors checkpoint; the scalars into its JSON metadata.
struct OptimizerStateDict {
  std::vector<std::pair<std::string, Tensor>> tensors;
  std::map<std::string, double> scalars;
};

class Optimizer {
 public:
  virtual ~Optimizer() = default;
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  // One update of every parameter that has a gradient (parameters without .grad are skipped).
  virtual void step() = 0;
  // Zeroes each .grad in place (PyTorch 1.13's default) or drops it (set_to_none).
  void zero_grad(bool set_to_none = false);

  void add_param_group(const OptimizerParamGroup& group);
  std::vector<OptimizerParamGroup>& param_groups() { return groups_; }
  const std::vector<OptimizerParamGroup>& param_groups() const { return groups_; }
  const OptimizerOptions& defaults() const { return *defaults_; }
  std::vector<Tensor> parameters() const;  // all groups, in order
  std::size_t size() const;                // number of parameters

  OptimizerStateDict state_dict() const;
  // Checks parameter count and each buffer's shape; throws gf::Error naming the key at fault.
  void load_state_dict(const OptimizerStateDict& state);

 protected:
  // `slots` names the per-parameter buffers of this optimizer (e.g. {"momentum_buffer"}).
  Optimizer(std::vector<OptimizerParamGroup> groups, std::unique_ptr<OptimizerOptions> defaults,
            std::vector<std::string> slots);

  struct ParamState {
    int64_t step = 0;             // updates applied to this parameter
    std::vector<Tensor> buffers;  // one per slot; undefined until first used
  };
  // State of the index-th parameter across all groups.
  ParamState& state(std::size_t index);
  // Calls f(options, param, grad, state) for every parameter that has a gradient, in order, with
  // grad mode off. grad is contiguous and of param's dtype.
  template <class F>
  void for_each_update(F&& f) {
    NoGradGuard no_grad;
    std::size_t index = 0;
    for (auto& group : groups_) {
      for (Tensor& p : group.params()) {
        ParamState& s = state_[index++];
        Tensor g = grad_of(p);
        if (g.defined()) f(group.options(), p, g, s);
      }
    }
  }
  // A zero buffer shaped like param (allocated once, on first use).
  static Tensor zeros_like_param(const Tensor& param);
  // The gradient of param as a contiguous tensor of param's dtype, or undefined when absent.
  static Tensor grad_of(const Tensor& param);

 private:
  std::vector<OptimizerParamGroup> groups_;
  std::unique_ptr<OptimizerOptions> defaults_;
  std::vector<std::string> slots_;
  std::vector<ParamState> state_;
};

}  // namespace gf::optim
