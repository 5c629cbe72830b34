// The Tensor methods that are ops: to(dtype), clone() and contiguous() (recorded copies), and the
// methods that forward to the free functions of ops.hpp (x.sum() is gf::sum(x)).
#include "../kernels/elementwise.hpp"
#include "gradflow/autograd/node.hpp"
#include "gradflow/factories.hpp"
#include "gradflow/ops.hpp"
#include "gradflow/tensor.hpp"

namespace gf {

// A copy with a new dtype. Not recorded when converting to Int64 (no gradient through it).
//   d to(x)/dx = 1   (the engine casts the gradient back to x's dtype)
Tensor Tensor::to(DType target) const {
  if (dtype() == target) return *this;
  Tensor out = empty(sizes(), target);
  dispatch(dtype(), [&](auto from) {
    using S = decltype(from);
    dispatch(target, [&](auto to) {
      using D = decltype(to);
      kernels::map_into<S, D>(*this, out.data_ptr<D>(), [](S v) { return convert<D>(v); });
    });
  });
  if (is_floating(target) && is_floating(dtype())) {
    autograd::record(out, "ToCopyBackward0", {*this},
                     [](const Tensor& g) -> autograd::Grads { return {g}; });
  }
  return out;
}

// A contiguous copy:  d clone(x)/dx = 1   (CloneBackward0)
Tensor Tensor::clone() const {
  Tensor out = empty(sizes(), dtype());
  dispatch(dtype(), [&](auto tag) {
    using T = decltype(tag);
    kernels::map_into<T, T>(*this, out.data_ptr<T>(), [](T v) { return v; });
  });
  autograd::record(out, "CloneBackward0", {*this},
                   [](const Tensor& g) -> autograd::Grads { return {g}; });
  return out;
}

Tensor Tensor::contiguous() const { return is_contiguous() ? *this : clone(); }

// ---- methods that forward to the free functions ----
Tensor Tensor::sum() const { return gf::sum(*this); }
Tensor Tensor::sum(int64_t d, bool keepdim) const { return gf::sum(*this, d, keepdim); }
Tensor Tensor::mean() const { return gf::mean(*this); }
Tensor Tensor::mean(int64_t d, bool keepdim) const { return gf::mean(*this, d, keepdim); }
Tensor Tensor::max() const { return gf::max(*this); }
Tensor Tensor::max(int64_t d, bool keepdim) const { return gf::max(*this, d, keepdim); }
Tensor Tensor::argmax(int64_t d) const { return gf::argmax(*this, d); }
Tensor Tensor::exp() const { return gf::exp(*this); }
Tensor Tensor::log() const { return gf::log(*this); }
Tensor Tensor::pow(double p) const { return gf::pow(*this, p); }
Tensor Tensor::sqrt() const { return gf::sqrt(*this); }
Tensor Tensor::abs() const { return gf::abs(*this); }
Tensor Tensor::relu() const { return gf::relu(*this); }
Tensor Tensor::sigmoid() const { return gf::sigmoid(*this); }
Tensor Tensor::tanh() const { return gf::tanh(*this); }
Tensor Tensor::t() const { return gf::t(*this); }
Tensor Tensor::transpose(int64_t a, int64_t b) const { return gf::transpose(*this, a, b); }
Tensor Tensor::permute(const Shape& dims) const { return gf::permute(*this, dims); }
Tensor Tensor::reshape(const Shape& s) const { return gf::reshape(*this, s); }
Tensor Tensor::view(const Shape& s) const {
  GF_CHECK(is_contiguous(), "view: size ", s,
           " is not compatible with the strides of a "
           "non-contiguous tensor of shape ",
           sizes(), "; use reshape");
  return gf::reshape(*this, s);
}
Tensor Tensor::flatten(int64_t s, int64_t e) const { return gf::flatten(*this, s, e); }
Tensor Tensor::unsqueeze(int64_t d) const { return gf::unsqueeze(*this, d); }
Tensor Tensor::squeeze(int64_t d) const { return gf::squeeze(*this, d); }
Tensor Tensor::expand(const Shape& s) const { return gf::expand(*this, s); }
Tensor Tensor::slice(int64_t d, int64_t s, int64_t e, int64_t st) const {
  return gf::slice(*this, d, s, e, st);
}
Tensor Tensor::select(int64_t d, int64_t i) const { return gf::select(*this, d, i); }
Tensor Tensor::softmax(int64_t d) const { return gf::softmax(*this, d); }
Tensor Tensor::log_softmax(int64_t d) const { return gf::log_softmax(*this, d); }
Tensor Tensor::matmul(const Tensor& o) const { return gf::matmul(*this, o); }
Tensor Tensor::mm(const Tensor& o) const { return gf::mm(*this, o); }
Tensor Tensor::gather(int64_t d, const Tensor& i) const { return gf::gather(*this, d, i); }
Tensor Tensor::index_select(int64_t d, const Tensor& i) const {
  return gf::index_select(*this, d, i);
}
Tensor Tensor::operator[](int64_t i) const { return gf::select(*this, 0, i); }

}  // namespace gf
