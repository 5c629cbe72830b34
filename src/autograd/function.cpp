// Context and the node behind autograd::Function (include/gradflow/autograd/function.hpp).
#include "gradflow/autograd/function.hpp"

#include <cxxabi.h>

#include <cstdlib>
#include <string>

#include "gradflow/factories.hpp"

namespace gf::autograd {

void Context::save_for_backward(std::vector<Tensor> tensors) { to_save_ = std::move(tensors); }

// Saving an output itself would make output -> grad_fn -> ctx -> output a cycle; SavedTensor
// keeps only a weak link to the output's grad_fn (and re-attaches it on unpack).
void Context::pack_saved(const std::vector<Tensor>& outputs,
                         const std::vector<bool>& output_is_fresh) {
  saved_.clear();
  saved_.reserve(to_save_.size());
  for (const Tensor& t : to_save_) {
    bool is_output = false;
    for (std::size_t k = 0; k < outputs.size() && t.defined(); ++k)
      is_output = is_output || (output_is_fresh[k] && t.impl_ptr() == outputs[k].impl_ptr());
    saved_.emplace_back(t, is_output);
  }
  to_save_.clear();
  non_differentiable_.clear();
}

void Context::mark_non_differentiable(const std::vector<Tensor>& outputs) {
  for (const Tensor& t : outputs) non_differentiable_.push_back(t);
}

bool Context::is_non_differentiable(const Tensor& output) const {
  for (const Tensor& t : non_differentiable_)
    if (t.defined() && t.impl_ptr() == output.impl_ptr()) return true;
  return false;
}

std::vector<Tensor> Context::saved_tensors() const {
  GF_CHECK(!released_,
           "saved_tensors: trying to backward through the graph a second time (the "
           "saved tensors were freed); specify retain_graph=true on the first backward");
  if (!to_save_.empty()) return to_save_;  // inside forward, before apply packs them
  std::vector<Tensor> out;
  out.reserve(saved_.size());
  for (const SavedTensor& s : saved_) out.push_back(s.defined() ? s.unpack() : Tensor());
  return out;
}

bool Context::needs_input_grad(std::size_t i) const {
  return i < input_needs_grad.size() && input_needs_grad[i];
}

void Context::release() {
  for (SavedTensor& s : saved_) s.reset();
  if (!saved_.empty()) released_ = true;
}

namespace detail {

std::string short_type_name(const std::type_info& type) {
  int status = 0;
  char* demangled = abi::__cxa_demangle(type.name(), nullptr, nullptr, &status);
  std::string full = status == 0 && demangled ? demangled : type.name();
  std::free(demangled);
  // drop template arguments, then every namespace or enclosing scope
  if (auto lt = full.find('<'); lt != std::string::npos) full.resize(lt);
  if (auto colon = full.rfind("::"); colon != std::string::npos) full = full.substr(colon + 2);
  return full;
}

void CustomNodeBase::wire(const std::string& name, const std::vector<Tensor>& inputs,
                          std::vector<std::size_t> positions, std::size_t args,
                          std::vector<Tensor>& outputs) {
  GF_CHECK(!outputs.empty(), name, ".forward returned no outputs");
  for (std::size_t k = 0; k < outputs.size(); ++k)
    GF_CHECK(outputs[k].defined(), name, ".forward returned an undefined tensor",
             outputs.size() > 1 ? " as output " + std::to_string(k) : std::string());
  if (!any_requires_grad(inputs)) return;

  node_name = name + "Backward";
  num_args = args;
  tensor_positions = std::move(positions);
  next_edges.reserve(inputs.size());
  ctx.input_needs_grad.assign(inputs.size(), false);
  for (const Tensor& in : inputs) {
    next_edges.push_back(gradient_edge(in));
    input_shapes.push_back(in.sizes());
    input_dtypes.push_back(in.dtype());
  }
  num_outputs = static_cast<uint32_t>(outputs.size());
  std::vector<bool> fresh(outputs.size(), false);
  std::shared_ptr<Node> self = shared_from_this();
  for (std::size_t k = 0; k < outputs.size(); ++k) {
    Tensor& out = outputs[k];
    // integer and Bool outputs never carry gradients, as in torch
    bool differentiable = !ctx.is_non_differentiable(out) && is_floating(out.dtype());
    // An output that is an input, an earlier output, or has history of its own (forward handed
    // it back) gets its own handle, so that setting its grad_fn leaves that tensor untouched.
    bool alias = out.requires_grad();
    for (const Tensor& in : inputs) alias = alias || in.impl_ptr() == out.impl_ptr();
    for (std::size_t j = 0; j < k; ++j) alias = alias || outputs[j].impl_ptr() == out.impl_ptr();
    if (alias) out = out.detach();
    output_shapes.push_back(out.sizes());
    output_dtypes.push_back(out.dtype());
    if (differentiable) set_history(out, self, static_cast<uint32_t>(k));
    fresh[k] = differentiable && !alias;
  }
  ctx.pack_saved(outputs, fresh);
  has_saved = ctx.has_saved();
}

std::vector<Tensor> CustomNodeBase::grad_outputs_for_user(const std::vector<Tensor>& grads) {
  std::vector<Tensor> g = grads;
  if (ctx.materialize_grads())
    for (std::size_t k = 0; k < g.size() && k < output_shapes.size(); ++k)
      if (!g[k].defined()) g[k] = zeros(output_shapes[k], output_dtypes[k]);
  return g;
}

std::vector<Tensor> CustomNodeBase::finish(std::vector<Tensor> grads) const {
  const std::size_t n = input_shapes.size();
  // Trailing undefined gradients beyond the inputs mean "none", as torch ignores trailing Nones.
  while (grads.size() > n && grads.size() != num_args && !grads.back().defined()) grads.pop_back();
  GF_CHECK(grads.size() == n || grads.size() == num_args, node_name, ": backward returned ",
           grads.size(), " gradients, expected ", n, " (one per tensor input)");
  if (grads.size() != n) {  // one per argument of forward: keep the tensor positions
    std::vector<Tensor> picked(n);
    for (std::size_t i = 0; i < n; ++i) picked[i] = grads[tensor_positions[i]];
    grads = std::move(picked);
  }
  for (std::size_t i = 0; i < n; ++i) {
    Tensor& g = grads[i];
    if (!g.defined() || !next_edges[i].valid()) {
      g = Tensor();
      continue;
    }
    GF_CHECK(g.sizes() == input_shapes[i], node_name, ": backward returned a gradient of shape ",
             g.sizes(), " for input ", i, " of shape ", input_shapes[i]);
    if (g.dtype() != input_dtypes[i]) g = g.to(input_dtypes[i]);
  }
  return grads;
}

}  // namespace detail

}  // namespace gf::autograd
