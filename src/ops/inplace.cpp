// In-place ops: x.op_(y) is op(x, y) written back into x's storage. Every write bumps the
// storage's version counter, so a backward that saved x before the write throws instead of using
// the new values (SavedTensor::unpack, PyTorch's check). Under grad mode the write is recorded:
// x takes the history of op(x, y), so x.mul_(y) has grad_fn MulBackward0 as in torch. When op's
// backward reads x itself (mul, div, clamp), it reads a copy taken before the write.
#include <algorithm>
#include <limits>

#include "../kernels/elementwise.hpp"
#include "gradflow/autograd/node.hpp"
#include "gradflow/factories.hpp"
#include "gradflow/ops.hpp"

namespace gf {

namespace {

using autograd::Backward;
using autograd::Grads;

// torch: "a leaf Variable that requires grad is being used in an in-place operation."
void check_writable(const Tensor& self, const char* op) {
  GF_CHECK(!(is_grad_enabled() && self.is_leaf() && self.requires_grad()), op,
           ": a leaf Variable that requires grad is being used in an in-place operation.");
}

// Writes `values` (broadcast to self's shape, cast to self's dtype) into self's storage.
void write_values(Tensor& self, const Tensor& values, const char* op) {
  GF_CHECK(self.is_contiguous(), op, ": destination must be contiguous");
  GF_CHECK(!(is_floating(values.dtype()) && !is_floating(self.dtype())), op, ": result type ",
           dtype_name(values.dtype()), " can't be cast to the desired output type ",
           dtype_name(self.dtype()));
  Tensor v = values.dtype() == self.dtype() ? values.detach() : values.detach().to(self.dtype());
  Shape shape = broadcast_shapes(self.sizes(), v.sizes(), op);
  GF_CHECK(shape == self.sizes(), op, ": output with shape ", self.sizes(),
           " doesn't match the broadcast shape ", shape);
  dispatch(self.dtype(), [&](auto tag) {
    using T = decltype(tag);
    kernels::binary_into<T, T>(self, v, shape, self.data_ptr<T>(), [](T, T x) { return x; });
  });
  ++self.impl().storage->version;
}

// self takes result's values and, when result was recorded, its history.
Tensor& commit(Tensor& self, const Tensor& result, const char* op) {
  write_values(self, result, op);
  if (result.grad_fn()) {
    self.impl().grad_fn = result.grad_fn();
    self.impl().output_nr = result.output_nr();
  }
  return self;
}

template <class F>
Tensor& inplace(Tensor& self, const char* name, bool backward_reads_self, F op) {
  check_writable(self, name);
  bool copy_first = backward_reads_self && is_grad_enabled();
  return commit(self, op(copy_first ? self.clone() : self), name);
}

}  // namespace

// d(fill)/dx = 0: the old values are gone
Tensor& Tensor::fill_(double v) {
  check_writable(*this, "fill_");
  GF_CHECK(is_contiguous(), "fill_: only contiguous tensors");
  dispatch(dtype(), [&](auto tag) {
    using T = decltype(tag);
    T* p = data_ptr<T>();
    std::fill(p, p + numel(), convert<T>(v));
  });
  ++impl().storage->version;
  if (is_grad_enabled() && requires_grad()) {
    Tensor self = *this;
    autograd::record(self, "FillBackward0", {*this},
                     [](const Tensor& g) -> Grads { return {zeros_like(g)}; });
  }
  return *this;
}

// d(copy_)/d(self) = 0, d(copy_)/d(src) = 1 (summed to src's shape, cast to its dtype)
Tensor& Tensor::copy_(const Tensor& src) {
  check_writable(*this, "copy_");
  bool record = is_grad_enabled() && (requires_grad() || src.requires_grad());
  Tensor old = record ? Tensor(*this) : Tensor();
  std::shared_ptr<autograd::Node> old_fn = record ? grad_fn() : nullptr;
  write_values(*this, src, "copy_");
  if (record) {
    // the edge to the old history must be taken before self gets its new grad_fn
    Tensor before = old.detach();
    if (old_fn) {
      before.impl().grad_fn = old_fn;
      before.impl().output_nr = output_nr();
    } else if (old.requires_grad()) {
      before = old;
    }
    Tensor self = *this;
    self.impl().grad_fn = nullptr;
    autograd::record(self, "CopyBackwards", {before, src}, [](const Backward& bw) -> Grads {
      return {bw.needs(0) ? zeros_like(bw.grad()) : Tensor(), bw.grad()};
    });
  }
  return *this;
}

Tensor& Tensor::add_(const Tensor& o, double alpha) {
  return inplace(*this, "add_", false,
                 [&](const Tensor& x) { return alpha == 1.0 ? x + o : x + o * alpha; });
}
Tensor& Tensor::sub_(const Tensor& o, double alpha) {
  return inplace(*this, "sub_", false,
                 [&](const Tensor& x) { return alpha == 1.0 ? x - o : x - o * alpha; });
}
Tensor& Tensor::mul_(const Tensor& o) {
  return inplace(*this, "mul_", o.requires_grad(), [&](const Tensor& x) { return x * o; });
}
Tensor& Tensor::div_(const Tensor& o) {
  return inplace(*this, "div_", o.requires_grad(), [&](const Tensor& x) { return x / o; });
}
Tensor& Tensor::add_(double o) {
  return inplace(*this, "add_", false, [&](const Tensor& x) { return x + o; });
}
Tensor& Tensor::sub_(double o) {
  return inplace(*this, "sub_", false, [&](const Tensor& x) { return x - o; });
}
Tensor& Tensor::mul_(double o) {
  return inplace(*this, "mul_", false, [&](const Tensor& x) { return x * o; });
}
Tensor& Tensor::div_(double o) {
  return inplace(*this, "div_", false, [&](const Tensor& x) { return x / o; });
}
Tensor& Tensor::clamp_(double lo, double hi) {
  return inplace(*this, "clamp_", true, [&](const Tensor& x) { return clamp(x, lo, hi); });
}
Tensor& Tensor::clamp_min_(double lo) {
  return inplace(*this, "clamp_min_", true, [&](const Tensor& x) {
    return clamp(x, lo, std::numeric_limits<double>::infinity());
  });
}
Tensor& Tensor::clamp_max_(double hi) {
  return inplace(*this, "clamp_max_", true, [&](const Tensor& x) {
    return clamp(x, -std::numeric_limits<double>::infinity(), hi);
  });
}
Tensor& Tensor::neg_() {
  return inplace(*this, "neg_", false, [](const Tensor& x) { return -x; });
}
// exp, sigmoid and tanh save their output, never x: no copy needed
Tensor& Tensor::exp_() {
  return inplace(*this, "exp_", false, [](const Tensor& x) { return gf::exp(x); });
}
Tensor& Tensor::sigmoid_() {
  return inplace(*this, "sigmoid_", false, [](const Tensor& x) { return gf::sigmoid(x); });
}
Tensor& Tensor::tanh_() {
  return inplace(*this, "tanh_", false, [](const Tensor& x) { return gf::tanh(x); });
}
Tensor& Tensor::relu_() {
  return inplace(*this, "relu_", true, [](const Tensor& x) { return gf::relu(x); });
}

}  // namespace gf
