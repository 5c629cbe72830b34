// Learning-rate schedulers, PyTorch 1.13's (torch/optim/lr_scheduler.py), stepped once per
// epoch after optimizer.step():
//
//   gf::optim::StepLR sched(opt, /*step_size=*/30, /*gamma=*/0.1);
//   for (int epoch = 0; epoch < 100; ++epoch) { train_one_epoch(); sched.step(); }
//
// Construction records each group's lr as its base lr and performs PyTorch's initial step
// (last_epoch becomes 0). step() advances last_epoch and writes the new lr into every param
// group using PyTorch's recursive ("chainable") formulas, so the numbers match PyTorch's to the
// last bit; their closed forms are
//   StepLR:            lr = base_lr · γ^⌊epoch / step_size⌋
//   CosineAnnealingLR: lr = η_min + (base_lr − η_min) · (1 + cos(π · epoch / T_max)) / 2
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "gradflow/optim/optimizer.hpp"

namespace gf::optim {

class LRScheduler {
 public:
  virtual ~LRScheduler() = default;
  void step();
  std::vector<double> get_last_lr() const { return last_lr_; }
  int64_t last_epoch() const { return last_epoch_; }
  const std::vector<double>& base_lrs() const { return base_lrs_; }

  // {"last_epoch", "step_count", "base_lrs.<g>", "last_lr.<g>"}; load restores them (the
  // optimizer's own lr comes back with its state dict).
  std::map<std::string, double> state_dict() const;
  void load_state_dict(const std::map<std::string, double>& state);

 protected:
  explicit LRScheduler(Optimizer& optimizer);
  void initial_step() { step(); }  // called at the end of each derived constructor
  virtual std::vector<double> get_lr() = 0;
  std::vector<double> group_lrs() const;

  Optimizer& optimizer_;
  std::vector<double> base_lrs_;
  std::vector<double> last_lr_;
  int64_t last_epoch_ = -1;
  int64_t step_count_ = 0;
};

// Multiplies the lr by gamma every step_size epochs.
class StepLR : public LRScheduler {
 public:
  StepLR(Optimizer& optimizer, int64_t step_size, double gamma = 0.1);

 private:
  std::vector<double> get_lr() override;
  int64_t step_size_;
  double gamma_;
};

// Cosine from base_lr down to eta_min over T_max epochs (and back up after, like PyTorch).
class CosineAnnealingLR : public LRScheduler {
 public:
  CosineAnnealingLR(Optimizer& optimizer, int64_t T_max, double eta_min = 0.0);

 private:
  std::vector<double> get_lr() override;
  int64_t T_max_;
  double eta_min_;
};

}  // namespace gf::optim
