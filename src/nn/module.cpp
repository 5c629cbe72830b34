// Module: registration, traversal with dotted names, train/eval, state dicts, dtype conversion
// and PyTorch's printing (torch/nn/modules/module.py: __repr__, _addindent, load_state_dict).
#include "gradflow/nn/module.hpp"

#include <ostream>
#include <sstream>

#include "gradflow/error.hpp"

namespace gf::nn {

Module::Module(std::string type_name) : type_name_(std::move(type_name)) {}

Tensor Module::forward(const Tensor&) {
  detail::fail(type_name_, ": forward is not implemented (override Module::forward)");
}

void Module::check_name(const std::string& name, const char* what) const {
  GF_CHECK(!name.empty(), type_name_, ": ", what, " name can't be empty");
  GF_CHECK(name.find('.') == std::string::npos, type_name_, ": ", what,
           " name can't contain \".\", got \"", name, "\"");
  auto taken = [&](const auto& list) {
    for (const auto& [n, _] : list)
      if (n == name) return true;
    return false;
  };
  GF_CHECK(!taken(parameters_) && !taken(buffers_) && !taken(children_), type_name_,
           ": attribute \"", name, "\" already exists");
}

Tensor& Module::register_parameter(const std::string& name, Tensor tensor, bool requires_grad) {
  check_name(name, "parameter");
  GF_CHECK(tensor.defined(), type_name_, ": register_parameter(\"", name,
           "\") got an undefined tensor");
  if (requires_grad) tensor.requires_grad_(true);
  tensor.impl().name = name;
  parameters_.emplace_back(name, std::move(tensor));
  return parameters_.back().second;
}

Tensor& Module::register_buffer(const std::string& name, Tensor tensor) {
  check_name(name, "buffer");
  buffers_.emplace_back(name, std::move(tensor));
  return buffers_.back().second;
}

void Module::register_module_impl(const std::string& name, std::shared_ptr<Module> module) {
  check_name(name, "module");
  GF_CHECK(module != nullptr, type_name_, ": register_module(\"", name, "\") got a null module");
  // Label the child's parameters with their dotted names (shown by graph pictures).
  StateDict params;
  module->collect(name + ".", true, true, params);
  for (auto& [full, t] : params) t.impl().name = full;
  children_.emplace_back(name, std::move(module));
}

void Module::collect(const std::string& prefix, bool recurse, bool params, StateDict& out) const {
  for (const auto& [name, t] : params ? parameters_ : buffers_)
    if (t.defined()) out.emplace_back(prefix + name, t);
  if (!recurse) return;
  for (const auto& [name, child] : children_)
    child->collect(prefix + name + ".", true, params, out);
}

StateDict Module::named_parameters(bool recurse) const {
  StateDict out;
  collect("", recurse, true, out);
  return out;
}

std::vector<Tensor> Module::parameters(bool recurse) const {
  std::vector<Tensor> out;
  for (auto& [_, t] : named_parameters(recurse)) out.push_back(t);
  return out;
}

StateDict Module::named_buffers(bool recurse) const {
  StateDict out;
  collect("", recurse, false, out);
  return out;
}

std::vector<Tensor> Module::buffers(bool recurse) const {
  std::vector<Tensor> out;
  for (auto& [_, t] : named_buffers(recurse)) out.push_back(t);
  return out;
}

std::vector<std::shared_ptr<Module>> Module::children() const {
  std::vector<std::shared_ptr<Module>> out;
  for (const auto& [_, c] : children_) out.push_back(c);
  return out;
}

std::vector<std::pair<std::string, Module*>> Module::named_modules() {
  std::vector<std::pair<std::string, Module*>> out{{"", this}};
  for (auto& [name, child] : children_)
    for (auto& [sub, m] : child->named_modules())
      out.emplace_back(sub.empty() ? name : name + "." + sub, m);
  return out;
}

void Module::zero_grad(bool set_to_none) {
  for (Tensor& p : parameters()) {
    Tensor g = p.grad();
    if (!g.defined()) continue;
    if (set_to_none || g.requires_grad() || !g.is_contiguous()) {
      p.zero_grad();
    } else {
      g.zero_();
    }
  }
}

void Module::train(bool on) {
  training_ = on;
  for (auto& [_, child] : children_) child->train(on);
}

StateDict Module::state_dict() const {
  // PyTorch's order: per module its parameters, then its buffers, then each child's.
  StateDict out;
  struct Walk {
    static void run(const Module& m, const std::string& prefix, StateDict& out) {
      StateDict own;
      m.collect(prefix, false, true, own);
      m.collect(prefix, false, false, own);
      for (auto& [n, t] : own) out.emplace_back(n, t.detach());
      for (const auto& [name, child] : m.named_children()) run(*child, prefix + name + ".", out);
    }
  };
  Walk::run(*this, "", out);
  return out;
}

void Module::load_state_dict(const StateDict& state, bool strict) {
  StateDict own = state_dict();
  std::vector<std::string> missing, unexpected, mismatched;
  auto find = [](const StateDict& d, const std::string& key) -> const Tensor* {
    for (const auto& [n, t] : d)
      if (n == key) return &t;
    return nullptr;
  };
  for (const auto& [name, t] : own) {
    const Tensor* src = find(state, name);
    if (!src) {
      missing.push_back(name);
    } else if (!src->defined() || src->sizes() != t.sizes()) {
      std::ostringstream msg;
      msg << "size mismatch for " << name << ": copying a param with shape "
          << (src->defined() ? src->sizes().str() : std::string("(undefined)"))
          << " from checkpoint, the shape in current model is " << t.sizes() << ".";
      mismatched.push_back(msg.str());
    }
  }
  for (const auto& [name, _] : state)
    if (!find(own, name)) unexpected.push_back(name);

  std::vector<std::string> errors;
  auto quoted = [](const std::vector<std::string>& keys) {
    std::string s;
    for (std::size_t i = 0; i < keys.size(); ++i) s += (i ? ", \"" : "\"") + keys[i] + "\"";
    return s;
  };
  if (strict && !missing.empty())
    errors.push_back("Missing key(s) in state_dict: " + quoted(missing) + ".");
  if (strict && !unexpected.empty())
    errors.push_back("Unexpected key(s) in state_dict: " + quoted(unexpected) + ".");
  errors.insert(errors.end(), mismatched.begin(), mismatched.end());
  if (!errors.empty()) {
    std::string msg = "load_state_dict: ";
    for (std::size_t i = 0; i < errors.size(); ++i) msg += (i ? "\n\t" : "") + errors[i];
    msg += "\n\t(while loading state_dict for " + type_name_ + ")";
    throw Error(msg);
  }
  NoGradGuard no_grad;
  for (auto& [name, t] : own)
    if (const Tensor* src = find(state, name)) Tensor(t).copy_(*src);
}

Module& Module::to(DType dtype) {
  auto convert = [&](Tensor& t) {
    if (!t.defined() || !is_floating(t.dtype()) || t.dtype() == dtype) return;
    Tensor c = t.detach().to(dtype).contiguous();
    TensorImpl& impl = t.impl();  // swap the data under the same impl: member handles stay valid
    impl.storage = c.impl().storage;
    impl.sizes = c.impl().sizes;
    impl.strides = c.impl().strides;
    impl.offset = c.impl().offset;
    impl.dtype = dtype;
    impl.grad.reset();
  };
  for (auto& [_, t] : parameters_) convert(t);
  for (auto& [_, t] : buffers_) convert(t);
  for (auto& [_, child] : children_) child->to(dtype);
  return *this;
}

// torch.nn.modules.module._addindent: indent every line but the first.
static std::string add_indent(const std::string& s, int spaces) {
  std::string out;
  for (char c : s) {
    out += c;
    if (c == '\n') out += std::string(spaces, ' ');
  }
  return out;
}

std::string Module::repr() const {
  std::vector<std::string> extra_lines;
  std::string extra = extra_repr();
  if (!extra.empty()) {
    std::istringstream in(extra);
    for (std::string line; std::getline(in, line);) extra_lines.push_back(line);
  }
  std::vector<std::string> child_lines;
  for (const auto& [name, child] : children_)
    child_lines.push_back("(" + name + "): " + add_indent(child->repr(), 2));
  std::string out = type_name_ + "(";
  if (extra_lines.size() == 1 && child_lines.empty()) {
    out += extra_lines[0];
  } else if (!extra_lines.empty() || !child_lines.empty()) {
    out += "\n";
    for (const auto& l : extra_lines) out += "  " + l + "\n";
    for (const auto& l : child_lines) out += "  " + l + "\n";
  }
  return out + ")";
}

std::ostream& operator<<(std::ostream& out, const Module& module) { return out << module.repr(); }

std::string parameter_repr(const Tensor& parameter) {
  return "Parameter containing:\n" + to_string(parameter);
}

void print_parameter(std::ostream& out, const Tensor& parameter) {
  out << parameter_repr(parameter);
}

}  // namespace gf::nn
