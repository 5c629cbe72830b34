// StepLR and CosineAnnealingLR with PyTorch 1.13's recursive get_lr (torch/optim/lr_scheduler.py),
// so the lr sequence matches PyTorch's bit for bit.
#include "gradflow/optim/lr_scheduler.hpp"

#include <cmath>
#include <numbers>

namespace gf::optim {

LRScheduler::LRScheduler(Optimizer& optimizer) : optimizer_(optimizer) {
  base_lrs_ = group_lrs();  // PyTorch's group['initial_lr']
}

std::vector<double> LRScheduler::group_lrs() const {
  std::vector<double> out;
  for (const auto& g : optimizer_.param_groups()) out.push_back(g.options().get_lr());
  return out;
}

void LRScheduler::step() {
  ++step_count_;
  ++last_epoch_;
  std::vector<double> lrs = get_lr();
  auto& groups = optimizer_.param_groups();
  for (std::size_t i = 0; i < groups.size() && i < lrs.size(); ++i)
    groups[i].options().set_lr(lrs[i]);
  last_lr_ = group_lrs();
}

std::map<std::string, double> LRScheduler::state_dict() const {
  std::map<std::string, double> out{{"last_epoch", static_cast<double>(last_epoch_)},
                                    {"step_count", static_cast<double>(step_count_)}};
  for (std::size_t i = 0; i < base_lrs_.size(); ++i)
    out["base_lrs." + std::to_string(i)] = base_lrs_[i];
  for (std::size_t i = 0; i < last_lr_.size(); ++i)
    out["last_lr." + std::to_string(i)] = last_lr_[i];
  return out;
}

void LRScheduler::load_state_dict(const std::map<std::string, double>& state) {
  auto get = [&](const std::string& key) {
    auto it = state.find(key);
    GF_CHECK(it != state.end(), "LRScheduler::load_state_dict: missing key \"", key, "\"");
    return it->second;
  };
  std::vector<double> base(base_lrs_.size()), last(base_lrs_.size());
  for (std::size_t i = 0; i < base.size(); ++i) {
    base[i] = get("base_lrs." + std::to_string(i));
    last[i] = get("last_lr." + std::to_string(i));
  }
  last_epoch_ = static_cast<int64_t>(get("last_epoch"));
  step_count_ = static_cast<int64_t>(get("step_count"));
  base_lrs_ = base;
  last_lr_ = last;
}

StepLR::StepLR(Optimizer& optimizer, int64_t step_size, double gamma)
    : LRScheduler(optimizer), step_size_(step_size), gamma_(gamma) {
  GF_CHECK(step_size > 0, "StepLR: step_size must be positive, got ", step_size);
  initial_step();
}

// lr stays until last_epoch is a multiple of step_size, then lr ← lr · γ
std::vector<double> StepLR::get_lr() {
  std::vector<double> lrs = group_lrs();
  if (last_epoch_ == 0 || last_epoch_ % step_size_ != 0) return lrs;
  for (double& lr : lrs) lr = lr * gamma_;
  return lrs;
}

CosineAnnealingLR::CosineAnnealingLR(Optimizer& optimizer, int64_t T_max, double eta_min)
    : LRScheduler(optimizer), T_max_(T_max), eta_min_(eta_min) {
  GF_CHECK(T_max > 0, "CosineAnnealingLR: T_max must be positive, got ", T_max);
  initial_step();
}

// PyTorch's recursive form of η_min + (base − η_min)(1 + cos(π·epoch/T_max))/2:
//   lr ← (1 + cos(π·e/T)) / (1 + cos(π·(e−1)/T)) · (lr − η_min) + η_min
// with the restart branch when (e − 1 − T) is a multiple of 2T.
std::vector<double> CosineAnnealingLR::get_lr() {
  const double pi = std::numbers::pi;
  const double T = static_cast<double>(T_max_);
  const double e = static_cast<double>(last_epoch_);
  std::vector<double> lrs = group_lrs();
  if (last_epoch_ == 0) return lrs;
  for (std::size_t i = 0; i < lrs.size(); ++i) {
    const double base = base_lrs_[i];
    if (step_count_ == 1 && last_epoch_ > 0) {
      lrs[i] = eta_min_ + (base - eta_min_) * (1 + std::cos(e * pi / T)) / 2;
    } else if ((last_epoch_ - 1 - T_max_) % (2 * T_max_) == 0) {
      lrs[i] = lrs[i] + (base - eta_min_) * (1 - std::cos(pi / T)) / 2;
    } else {
      lrs[i] = (1 + std::cos(pi * e / T)) / (1 + std::cos(pi * (e - 1) / T)) * (lrs[i] - eta_min_) +
               eta_min_;
    }
  }
  return lrs;
}

}  // namespace gf::optim
