// SGD, exactly torch/optim/sgd.py's _single_tensor_sgd (PyTorch 1.13), on raw buffers.
#include "flags.hpp"
#include "gradflow/optim/sgd.hpp"

#include <type_traits>

#include "../kernels/elementwise.hpp"

namespace gf::optim {

namespace {
void check(const SGDOptions& o) {
  GF_CHECK(o.lr() >= 0, "SGD: Invalid learning rate: ", o.lr());
  GF_CHECK(o.momentum() >= 0, "SGD: Invalid momentum value: ", o.momentum());
  GF_CHECK(o.weight_decay() >= 0, "SGD: Invalid weight_decay value: ", o.weight_decay());
  GF_CHECK(!o.nesterov() || (o.momentum() > 0 && o.dampening() == 0),
           "SGD: Nesterov momentum requires a momentum and zero dampening");
}

// Scalars of one update, in the parameter's type.
template <class T>
struct SGDScalars {
  T sign, wd, m, damp, neg_lr;
};

// One parameter, elements [b, e). Flags are compile-time so each variant is a branch-free loop
// the compiler vectorizes:
//   d = ±g + wd·p;  buf = first ? d : m·buf + (1−dampening)·d;  d = nesterov ? d + m·buf : buf
//   p = p − lr·d
template <class T, bool kWd, bool kMomentum, bool kFirst, bool kNesterov>
void sgd_kernel(T* __restrict p, const T* __restrict g, T* __restrict buf, int64_t b, int64_t e,
                SGDScalars<T> c) {
  for (int64_t i = b; i < e; ++i) {
    T d = c.sign * g[i];  // sign is ±1: exact
    if constexpr (kWd) d = d + c.wd * p[i];
    if constexpr (kMomentum) {
      T bi;
      if constexpr (kFirst) {
        bi = d;
      } else {
        bi = buf[i] * c.m + c.damp * d;
      }
      buf[i] = bi;
      if constexpr (kNesterov) {
        d = d + c.m * bi;
      } else {
        d = bi;
      }
    }
    p[i] = p[i] + c.neg_lr * d;
  }
}

using detail::with_flag;

template <class T>
void sgd_update(T* p, const T* g, T* buf, bool first, int64_t n, const SGDOptions& o) {
  const SGDScalars<T> c{static_cast<T>(o.maximize() ? -1 : 1), static_cast<T>(o.weight_decay()),
                        static_cast<T>(o.momentum()), static_cast<T>(1 - o.dampening()),
                        static_cast<T>(-o.lr())};
  with_flag(o.weight_decay() != 0, [&](auto wd) {
    with_flag(buf != nullptr, [&](auto momentum) {
      with_flag(first, [&](auto fresh) {
        with_flag(o.nesterov(), [&](auto nesterov) {
          kernels::parallel_for(n, [&](int64_t b, int64_t e) {
            sgd_kernel<T, wd(), momentum(), fresh(), nesterov()>(p, g, buf, b, e, c);
          });
        });
      });
    });
  });
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
