// Context and the node behind autograd::Function (include/gradflow/autograd/function.hpp).
#include "gradflow/autograd/function.hpp"

#include <cxxabi.h>

#include <cstdlib>

namespace gf::autograd {

void Context::save_for_backward(std::vector<Tensor> tensors) { to_save_ = std::move(tensors); }

// Saving the output itself would make output -> grad_fn -> ctx -> output a cycle; SavedTensor
// keeps only a weak link to the output's grad_fn (and re-attaches it on unpack).
void Context::pack_saved(const Tensor& output, bool output_is_fresh) {
  saved_.clear();
  saved_.reserve(to_save_.size());
  for (const Tensor& t : to_save_) {
    bool is_output = output_is_fresh && t.defined() && t.impl_ptr() == output.impl_ptr();
    saved_.emplace_back(t, is_output);
  }
  to_save_.clear();
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
