// Optimizer base: param groups, zero_grad, per-parameter state and its save/restore.
#include "gradflow/optim/optimizer.hpp"

#include <cstdlib>

#include "gradflow/factories.hpp"

namespace gf::optim {

OptimizerParamGroup::OptimizerParamGroup(std::vector<Tensor> params) : params_(std::move(params)) {}
OptimizerParamGroup::OptimizerParamGroup(std::vector<Tensor> params,
                                         std::unique_ptr<OptimizerOptions> options)
    : params_(std::move(params)), options_(std::move(options)) {}
OptimizerParamGroup::OptimizerParamGroup(const OptimizerParamGroup& other)
    : params_(other.params_), options_(other.options_ ? other.options_->clone() : nullptr) {}
OptimizerParamGroup& OptimizerParamGroup::operator=(const OptimizerParamGroup& other) {
  params_ = other.params_;
  options_ = other.options_ ? other.options_->clone() : nullptr;
  return *this;
}

OptimizerOptions& OptimizerParamGroup::options() {
  GF_CHECK(options_ != nullptr, "OptimizerParamGroup: group has no options");
  return *options_;
}
const OptimizerOptions& OptimizerParamGroup::options() const {
  GF_CHECK(options_ != nullptr, "OptimizerParamGroup: group has no options");
  return *options_;
}

Optimizer::Optimizer(std::vector<OptimizerParamGroup> groups,
                     std::unique_ptr<OptimizerOptions> defaults, std::vector<std::string> slots)
    : defaults_(std::move(defaults)), slots_(std::move(slots)) {
  GF_CHECK(!groups.empty(), "optimizer got an empty parameter list");
  for (const auto& g : groups) add_param_group(g);
  GF_CHECK(size() > 0, "optimizer got an empty parameter list");
}

void Optimizer::add_param_group(const OptimizerParamGroup& group) {
  OptimizerParamGroup g(group);
  if (!g.has_options()) g.set_options(defaults_->clone());
  for (const Tensor& p : g.params()) {
    GF_CHECK(p.defined(), "optimizer: param group contains an undefined tensor");
    GF_CHECK(p.is_leaf(), "optimizer: can't optimize a non-leaf Tensor");
    GF_CHECK(is_floating(p.dtype()), "optimizer: parameters must be floating, got ",
             dtype_name(p.dtype()));
    GF_CHECK(p.is_contiguous(), "optimizer: parameters must be contiguous (shape ", p.sizes(), ")");
  }
  std::vector<Tensor> all = parameters();
  all.insert(all.end(), g.params().begin(), g.params().end());
  for (std::size_t i = 0; i < all.size(); ++i)
    for (std::size_t j = 0; j < i; ++j)
      GF_CHECK(all[i].impl_ptr() != all[j].impl_ptr(),
               "optimizer: some parameters appear more than once (parameter ", i, " is parameter ",
               j, ")");
  for (std::size_t i = 0; i < g.params().size(); ++i)
    state_.push_back(ParamState{0, std::vector<Tensor>(slots_.size())});
  groups_.push_back(std::move(g));
}

std::vector<Tensor> Optimizer::parameters() const {
  std::vector<Tensor> out;
  for (const auto& g : groups_) out.insert(out.end(), g.params().begin(), g.params().end());
  return out;
}

std::size_t Optimizer::size() const { return state_.size(); }

Optimizer::ParamState& Optimizer::state(std::size_t index) { return state_[index]; }

void Optimizer::zero_grad(bool set_to_none) {
  for (auto& g : groups_) {
    for (Tensor& p : g.params()) {
      Tensor grad = p.grad();
      if (!grad.defined()) continue;
      if (set_to_none || grad.requires_grad() || !grad.is_contiguous()) {
        p.zero_grad();
      } else {
        grad.zero_();
      }
    }
  }
}

Tensor Optimizer::zeros_like_param(const Tensor& param) {
  return zeros(param.sizes(), param.dtype());
}

Tensor Optimizer::grad_of(const Tensor& param) {
  Tensor g = param.grad();
  if (!g.defined()) return g;
  if (g.dtype() != param.dtype()) g = g.detach().to(param.dtype());
  GF_CHECK(g.sizes() == param.sizes(), "optimizer: gradient of shape ", g.sizes(),
           " does not match parameter of shape ", param.sizes());
  return g.is_contiguous() ? g : g.contiguous();
}

OptimizerStateDict Optimizer::state_dict() const {
  OptimizerStateDict out;
  for (std::size_t i = 0; i < state_.size(); ++i) {
    const ParamState& s = state_[i];
    std::string prefix = "state." + std::to_string(i) + ".";
    if (s.step > 0) out.scalars[prefix + "step"] = static_cast<double>(s.step);
    for (std::size_t k = 0; k < slots_.size(); ++k)
      if (s.buffers[k].defined()) out.tensors.emplace_back(prefix + slots_[k], s.buffers[k]);
  }
  for (std::size_t g = 0; g < groups_.size(); ++g) {
    std::string prefix = "param_groups." + std::to_string(g) + ".";
    out.scalars[prefix + "lr"] = groups_[g].options().get_lr();
    out.scalars[prefix + "size"] = static_cast<double>(groups_[g].params().size());
  }
  return out;
}

void Optimizer::load_state_dict(const OptimizerStateDict& state) {
  // Validate everything before changing anything.
  for (std::size_t g = 0; g < groups_.size(); ++g) {
    auto it = state.scalars.find("param_groups." + std::to_string(g) + ".size");
    GF_CHECK(it != state.scalars.end(), "Optimizer::load_state_dict: missing param_groups.", g,
             ".size (the state has fewer parameter groups than the optimizer's ", groups_.size(),
             ")");
    GF_CHECK(static_cast<std::size_t>(it->second) == groups_[g].params().size(),
             "Optimizer::load_state_dict: loaded state dict contains a parameter group that "
             "doesn't match the size of optimizer's group ",
             g, " (", it->second, " vs ", groups_[g].params().size(), ")");
  }
  GF_CHECK(!state.scalars.count("param_groups." + std::to_string(groups_.size()) + ".size"),
           "Optimizer::load_state_dict: loaded state dict has a different number of parameter "
           "groups (more than ",
           groups_.size(), ")");
  const std::vector<Tensor> params = parameters();
  struct Entry {
    std::size_t index, slot;
    const Tensor* tensor;
  };
  std::vector<Entry> entries;
  auto parse = [&](const std::string& key, std::string& field) -> std::size_t {
    GF_CHECK(key.rfind("state.", 0) == 0, "Optimizer::load_state_dict: unexpected key \"", key,
             "\"");
    char* end = nullptr;
    unsigned long i = std::strtoul(key.c_str() + 6, &end, 10);
    GF_CHECK(end != key.c_str() + 6 && *end == '.', "Optimizer::load_state_dict: bad key \"", key,
             "\"");
    GF_CHECK(i < params.size(), "Optimizer::load_state_dict: key \"", key,
             "\" refers to parameter ", i, " but the optimizer has ", params.size());
    field = end + 1;
    return i;
  };
  for (const auto& [key, t] : state.tensors) {
    std::string field;
    std::size_t i = parse(key, field);
    std::size_t slot = slots_.size();
    for (std::size_t k = 0; k < slots_.size(); ++k)
      if (slots_[k] == field) slot = k;
    GF_CHECK(slot < slots_.size(), "Optimizer::load_state_dict: unexpected key \"", key, "\"");
    GF_CHECK(t.defined() && t.sizes() == params[i].sizes(), "Optimizer::load_state_dict: ", key,
             " has shape ", t.defined() ? t.sizes().str() : "(undefined)", " but parameter ", i,
             " has shape ", params[i].sizes());
    entries.push_back({i, slot, &t});
  }
  for (const auto& [key, v] : state.scalars) {
    if (key.rfind("param_groups.", 0) == 0) continue;
    std::string field;
    parse(key, field);
    GF_CHECK(field == "step", "Optimizer::load_state_dict: unexpected key \"", key, "\"");
  }
  // Apply.
  for (auto& s : state_) s = ParamState{0, std::vector<Tensor>(slots_.size())};
  for (const Entry& e : entries) {
    Tensor buf = zeros_like_param(params[e.index]);
    buf.copy_(e.tensor->detach());
    state_[e.index].buffers[e.slot] = buf;
  }
  for (const auto& [key, v] : state.scalars) {
    if (key.rfind("param_groups.", 0) == 0) continue;
    std::string field;
    state_[parse(key, field)].step = static_cast<int64_t>(v);
  }
  for (std::size_t g = 0; g < groups_.size(); ++g) {
    auto it = state.scalars.find("param_groups." + std::to_string(g) + ".lr");
    if (it != state.scalars.end()) groups_[g].options().set_lr(it->second);
  }
}

}  // namespace gf::optim
