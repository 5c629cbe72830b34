// SGD, exactly torch/optim/sgd.py's _single_tensor_sgd (PyTorch 1.13), on raw buffers.
#include "gradflow/optim/sgd.hpp"

namespace gf::optim {

namespace {
void check(const SGDOptions& o) {
  GF_CHECK(o.lr() >= 0, "SGD: Invalid learning rate: ", o.lr());
  GF_CHECK(o.momentum() >= 0, "SGD: Invalid momentum value: ", o.momentum());
  GF_CHECK(o.weight_decay() >= 0, "SGD: Invalid weight_decay value: ", o.weight_decay());
  GF_CHECK(!o.nesterov() || (o.momentum() > 0 && o.dampening() == 0),
           "SGD: Nesterov momentum requires a momentum and zero dampening");
}

// One parameter. `buf` is null when momentum == 0; `first` when the buffer is fresh.
//   d = g + wd·p;  buf = first ? d : m·buf + (1−dampening)·d;  d = nesterov ? d + m·buf : buf
//   p = p − lr·d
template <class T>
void sgd_update(T* p, const T* g, T* buf, bool first, int64_t n, const SGDOptions& o) {
  const T wd = static_cast<T>(o.weight_decay()), m = static_cast<T>(o.momentum());
  const T damp = static_cast<T>(1 - o.dampening()), neg_lr = static_cast<T>(-o.lr());
  const bool has_wd = o.weight_decay() != 0, nesterov = o.nesterov(), maximize = o.maximize();
  for (int64_t i = 0; i < n; ++i) {
    T d = maximize ? -g[i] : g[i];
    if (has_wd) d = d + wd * p[i];
    if (buf) {
      buf[i] = first ? d : buf[i] * m + damp * d;
      d = nesterov ? d + m * buf[i] : buf[i];
    }
    p[i] = p[i] + neg_lr * d;
  }
}
}  // namespace

SGD::SGD(std::vector<Tensor> params, const SGDOptions& defaults)
    : SGD(std::vector<OptimizerParamGroup>{OptimizerParamGroup(std::move(params))}, defaults) {}

SGD::SGD(std::vector<OptimizerParamGroup> groups, const SGDOptions& defaults)
    : Optimizer(std::move(groups), defaults.clone(), {"momentum_buffer"}) {
  for (const auto& g : param_groups()) check(static_cast<const SGDOptions&>(g.options()));
}

void SGD::step() {
  for_each_update([this](const OptimizerOptions& opts, Tensor& p, const Tensor& g, ParamState& s) {
    const auto& o = static_cast<const SGDOptions&>(opts);
    bool first = false;
    if (o.momentum() != 0 && !s.buffers[0].defined()) {
      s.buffers[0] = zeros_like_param(p);
      first = true;
    }
    ++s.step;
    dispatch_floating(p.dtype(), [&](auto tag) {
      using T = decltype(tag);
      T* buf = o.momentum() != 0 ? s.buffers[0].data_ptr<T>() : nullptr;
      sgd_update<T>(p.data_ptr<T>(), g.data_ptr<T>(), buf, first, p.numel(), o);
    });
  });
}

}  // namespace gf::optim
