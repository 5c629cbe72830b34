// Adam and AdamW, exactly torch/optim/adam.py and adamw.py's single-tensor paths (PyTorch 1.13),
// on raw buffers. The two differ only in how weight decay enters (see adam.hpp).
#include "gradflow/optim/adam.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "gradflow/factories.hpp"

namespace gf::optim {

namespace {
struct AdamConfig {
  double lr, beta1, beta2, eps, weight_decay;
  bool amsgrad, maximize, decoupled;  // decoupled: AdamW
};

template <class Options>
AdamConfig config_of(const Options& o, bool decoupled, const char* name) {
  GF_CHECK(o.lr() >= 0, name, ": Invalid learning rate: ", o.lr());
  GF_CHECK(o.eps() >= 0, name, ": Invalid epsilon value: ", o.eps());
  GF_CHECK(o.betas().first >= 0 && o.betas().first < 1, name,
           ": Invalid beta parameter at index 0: ", o.betas().first);
  GF_CHECK(o.betas().second >= 0 && o.betas().second < 1, name,
           ": Invalid beta parameter at index 1: ", o.betas().second);
  GF_CHECK(o.weight_decay() >= 0, name, ": Invalid weight_decay value: ", o.weight_decay());
  return {o.lr(),           o.betas().first, o.betas().second, o.eps(),
          o.weight_decay(), o.amsgrad(),     o.maximize(),     decoupled};
}

// One parameter at step t (already incremented):
//   AdamW: p = p·(1 − lr·wd)        Adam: g = g + wd·p
//   m = m·β₁ + (1−β₁)·g;  v = v·β₂ + (1−β₂)·g·g;  vmax = max(vmax, v) (amsgrad)
//   p = p + (−lr/(1−β₁ᵗ))·m / (√v̂ / √(1−β₂ᵗ) + eps)
template <class T>
void adam_update_typed(T* p, const T* g, T* m, T* v, T* vmax, int64_t t, int64_t n,
                       const AdamConfig& c) {
  const double bias_correction1 = 1 - std::pow(c.beta1, static_cast<double>(t));
  const double bias_correction2 = 1 - std::pow(c.beta2, static_cast<double>(t));
  const T neg_step_size = static_cast<T>(-(c.lr / bias_correction1));
  const T bc2_sqrt = static_cast<T>(std::sqrt(bias_correction2));
  const T b1 = static_cast<T>(c.beta1), b2 = static_cast<T>(c.beta2);
  const T one_minus_b1 = static_cast<T>(1 - c.beta1), one_minus_b2 = static_cast<T>(1 - c.beta2);
  const T eps = static_cast<T>(c.eps), wd = static_cast<T>(c.weight_decay);
  const T decay = static_cast<T>(1 - c.lr * c.weight_decay);
  const bool l2 = !c.decoupled && c.weight_decay != 0;
  const bool decoupled = c.decoupled;
  const bool maximize = c.maximize;
  for (int64_t i = 0; i < n; ++i) {
    T gi = maximize ? -g[i] : g[i];
    if (decoupled) p[i] = p[i] * decay;
    if (l2) gi = gi + wd * p[i];
    m[i] = m[i] * b1 + one_minus_b1 * gi;
    v[i] = v[i] * b2 + one_minus_b2 * gi * gi;
    T vhat = v[i];
    if (vmax) vhat = vmax[i] = std::max(vmax[i], v[i]);
    const T denom = std::sqrt(vhat) / bc2_sqrt + eps;
    p[i] = p[i] + neg_step_size * m[i] / denom;
  }
}

template <class State>
void adam_update(const AdamConfig& c, Tensor& p, const Tensor& g, State& s) {
  auto& buf = s.buffers;
  if (!buf[0].defined()) buf[0] = zeros(p.sizes(), p.dtype());
  if (!buf[1].defined()) buf[1] = zeros(p.sizes(), p.dtype());
  if (c.amsgrad && !buf[2].defined()) buf[2] = zeros(p.sizes(), p.dtype());
  const int64_t t = ++s.step;
  dispatch_floating(p.dtype(), [&](auto tag) {
    using T = decltype(tag);
    T* vmax = c.amsgrad ? buf[2].template data_ptr<T>() : nullptr;
    adam_update_typed<T>(p.data_ptr<T>(), g.data_ptr<T>(), buf[0].template data_ptr<T>(),
                         buf[1].template data_ptr<T>(), vmax, t, p.numel(), c);
  });
}
}  // namespace

// Adam's state slots: 0 exp_avg, 1 exp_avg_sq, 2 max_exp_avg_sq (amsgrad only).
static const std::vector<std::string> kAdamSlots = {"exp_avg", "exp_avg_sq", "max_exp_avg_sq"};

Adam::Adam(std::vector<Tensor> params, const AdamOptions& defaults)
    : Adam(std::vector<OptimizerParamGroup>{OptimizerParamGroup(std::move(params))}, defaults) {}
Adam::Adam(std::vector<OptimizerParamGroup> groups, const AdamOptions& defaults)
    : Optimizer(std::move(groups), defaults.clone(), kAdamSlots) {
  for (const auto& g : param_groups())
    config_of(static_cast<const AdamOptions&>(g.options()), false, "Adam");
}
void Adam::step() {
  for_each_update([](const OptimizerOptions& o, Tensor& p, const Tensor& g, ParamState& s) {
    adam_update(config_of(static_cast<const AdamOptions&>(o), false, "Adam"), p, g, s);
  });
}

AdamW::AdamW(std::vector<Tensor> params, const AdamWOptions& defaults)
    : AdamW(std::vector<OptimizerParamGroup>{OptimizerParamGroup(std::move(params))}, defaults) {}
AdamW::AdamW(std::vector<OptimizerParamGroup> groups, const AdamWOptions& defaults)
    : Optimizer(std::move(groups), defaults.clone(), kAdamSlots) {
  for (const auto& g : param_groups())
    config_of(static_cast<const AdamWOptions&>(g.options()), true, "AdamW");
}
void AdamW::step() {
  for_each_update([](const OptimizerOptions& o, Tensor& p, const Tensor& g, ParamState& s) {
    adam_update(config_of(static_cast<const AdamWOptions&>(o), true, "AdamW"), p, g, s);
  });
}

}  // namespace gf::optim
