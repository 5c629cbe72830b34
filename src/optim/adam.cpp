// Adam and AdamW, exactly torch/optim/adam.py and adamw.py's single-tensor paths (PyTorch 1.13),
// on raw buffers. The two differ only in how weight decay enters (see adam.hpp).
#include "gradflow/optim/adam.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <type_traits>
#include <vector>

#include "../kernels/elementwise.hpp"
#include "../kernels/vmath.hpp"
#include "adam_kernel.hpp"
#include "gradflow/factories.hpp"

#define GF_ADAM_TABLE adam_kernels_default
#include "adam_kernels.inc"  // NOLINT(bugprone-suspicious-include): the x86-64-v2 table

namespace gf::optim {

namespace {
using detail::AdamScalars;

// The widest table the CPU runs (the same choice, and override, as the vector-math functions).
const detail::AdamKernels& adam_kernels() {
  static const detail::AdamKernels& table = [&]() -> const detail::AdamKernels& {
    const std::string cap = kernels::vector_capability();
    if (cap == "avx512") return detail::adam_kernels_avx512();
    if (cap == "avx2") return detail::adam_kernels_avx2();
    return detail::adam_kernels_default();
  }();
  return table;
}
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
  const auto& row = adam_kernels();
  const bool l2 = !c.decoupled && c.weight_decay != 0;
  detail::AdamKernel<T> kernel;
  if constexpr (std::is_same_v<T, float>)
    kernel = row.f32[c.decoupled][l2][vmax != nullptr];
  else
    kernel = row.f64[c.decoupled][l2][vmax != nullptr];
  kernels::parallel_for(n, [&](int64_t b, int64_t e) { kernel(p, g, m, v, vmax, b, e, s); });
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
