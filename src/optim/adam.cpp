// Adam and AdamW, exactly torch/optim/adam.py and adamw.py's single-tensor paths (PyTorch 1.13),
// on raw buffers. The two differ only in how weight decay enters (see adam.hpp).
#include "flags.hpp"
#include "gradflow/optim/adam.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <type_traits>
#include <vector>

#include "../kernels/elementwise.hpp"
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

// Scalars of one update, in the parameter's type.
template <class T>
struct AdamScalars {
  T sign, decay, wd, b1, one_minus_b1, b2, one_minus_b2, bc2_sqrt, eps, neg_step_size;
};

// One parameter at step t, elements [b, e); compile-time flags keep the loop branch-free:
//   AdamW: p = p·(1 − lr·wd)        Adam: g = g + wd·p
//   m = m·β₁ + (1−β₁)·g;  v = v·β₂ + (1−β₂)·g·g;  vmax = max(vmax, v) (amsgrad)
//   p = p + (−lr/(1−β₁ᵗ))·m / (√v̂ / √(1−β₂ᵗ) + eps)
template <class T, bool kDecoupled, bool kL2, bool kAmsgrad>
void adam_kernel(T* __restrict p, const T* __restrict g, T* __restrict m, T* __restrict v,
                 T* __restrict vmax, int64_t b, int64_t e, AdamScalars<T> c) {
  for (int64_t i = b; i < e; ++i) {
    T gi = c.sign * g[i];  // sign is ±1: exact
    T pi = p[i];
    if constexpr (kDecoupled) pi = pi * c.decay;
    if constexpr (kL2) gi = gi + c.wd * pi;
    const T mi = m[i] * c.b1 + c.one_minus_b1 * gi;
    const T vi = v[i] * c.b2 + c.one_minus_b2 * gi * gi;
    m[i] = mi;
    v[i] = vi;
    T vhat = vi;
    if constexpr (kAmsgrad) vhat = vmax[i] = std::max(vmax[i], vi);
    const T denom = std::sqrt(vhat) / c.bc2_sqrt + c.eps;
    p[i] = pi + c.neg_step_size * mi / denom;
  }
}

using detail::with_flag;

template <class T>
void adam_update_typed(T* p, const T* g, T* m, T* v, T* vmax, int64_t t, int64_t n,
                       const AdamConfig& c) {
  const double bias_correction1 = 1 - std::pow(c.beta1, static_cast<double>(t));
  const double bias_correction2 = 1 - std::pow(c.beta2, static_cast<double>(t));
  const AdamScalars<T> s{static_cast<T>(c.maximize ? -1 : 1),
                         static_cast<T>(1 - c.lr * c.weight_decay),
                         static_cast<T>(c.weight_decay),
                         static_cast<T>(c.beta1),
                         static_cast<T>(1 - c.beta1),
                         static_cast<T>(c.beta2),
                         static_cast<T>(1 - c.beta2),
                         static_cast<T>(std::sqrt(bias_correction2)),
                         static_cast<T>(c.eps),
                         static_cast<T>(-(c.lr / bias_correction1))};
  with_flag(c.decoupled, [&](auto decoupled) {
    with_flag(!c.decoupled && c.weight_decay != 0, [&](auto l2) {
      with_flag(vmax != nullptr, [&](auto amsgrad) {
        kernels::parallel_for(n, [&](int64_t b, int64_t e) {
          adam_kernel<T, decoupled(), l2(), amsgrad()>(p, g, m, v, vmax, b, e, s);
        });
      });
    });
  });
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
