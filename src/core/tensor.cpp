#include "gradflow/tensor.hpp"

#include <cstring>

#include "../kernels/elementwise.hpp"
#include "allocator.hpp"
#include "gradflow/autograd/engine.hpp"
#include "gradflow/autograd/node.hpp"
#include "gradflow/ops.hpp"

namespace gf {

Storage::Storage(std::size_t n)
    : data(n <= kInlineBytes ? inline_bytes : detail::allocate_buffer(n)), nbytes(n) {}
Storage::~Storage() {
  if (data != inline_bytes) detail::free_buffer(data, nbytes);
}

TensorImpl& Tensor::impl() const {
  GF_CHECK(impl_ != nullptr, "Tensor: operation on an undefined tensor");
  return *impl_;
}

Tensor empty(const Shape& shape, DType dtype) {
  // Every caller (readers included) gets the same guard: sizes whose product (of max(d, 1), as
  // the strides use) or byte count overflows int64 are an error, not undefined behaviour.
  int64_t elements = 1;
  for (int64_t d : shape) {
    GF_CHECK(d >= 0, "empty: negative size in shape ", shape);
    GF_CHECK(!__builtin_mul_overflow(elements, std::max<int64_t>(d, 1), &elements) &&
                 elements <= INT64_MAX / 8,
             "empty: shape ", shape, " has too many elements");
  }
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = std::make_shared<Storage>(shape.numel() * element_size(dtype));
  impl->sizes = shape;
  impl->strides = contiguous_strides(shape);
  impl->dtype = dtype;
  return Tensor(std::move(impl));
}

Tensor make_view(const Tensor& t, const Shape& sizes, const Shape& strides, int64_t offset) {
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = t.impl().storage;
  impl->sizes = sizes;
  impl->strides = strides;
  impl->offset = offset;
  impl->dtype = t.dtype();
  return Tensor(std::move(impl));
}

int64_t Tensor::size(int64_t d) const { return sizes()[wrap_dim(d, dim(), "size")]; }

bool Tensor::is_contiguous() const {
  const TensorImpl& t = impl();
  if (t.sizes.numel() == 0) return true;  // like PyTorch: an empty tensor is contiguous
  int64_t expected = 1;
  for (std::size_t i = t.sizes.size(); i-- > 0;) {
    if (t.sizes[i] == 1) continue;
    if (t.strides[i] != expected) return false;
    expected *= t.sizes[i];
  }
  return true;
}

double Tensor::item() const {
  GF_CHECK(numel() == 1, "item: a Tensor with ", numel(), " elements (shape ", sizes(),
           ") cannot be converted to a scalar");
  return dispatch(dtype(), [&](auto tag) {
    using T = decltype(tag);
    return static_cast<double>(*data_ptr<T>());
  });
}

std::vector<double> Tensor::tolist() const {
  std::vector<double> out(numel());
  dispatch(dtype(), [&](auto tag) {
    using T = decltype(tag);
    kernels::map_into<T, double>(*this, out.data(), [](T v) { return static_cast<double>(v); });
  });
  return out;
}

// A copy with a new dtype. Not recorded when converting to Int64 (no gradient through it).
namespace {
struct ToCopyBackward0 : autograd::Node {
  DType from;
  std::string name() const override { return "ToCopyBackward0"; }
  std::vector<Tensor> apply(const std::vector<Tensor>& g) override { return {g[0].to(from)}; }
};
}  // namespace

Tensor Tensor::to(DType target) const {
  if (dtype() == target) return *this;
  Tensor out = empty(sizes(), target);
  dispatch(dtype(), [&](auto from) {
    using S = decltype(from);
    dispatch(target, [&](auto to) {
      using D = decltype(to);
      kernels::map_into<S, D>(*this, out.data_ptr<D>(), [](S v) { return static_cast<D>(v); });
    });
  });
  if (is_floating(target) && is_floating(dtype())) {
    if (auto node = autograd::record<ToCopyBackward0>(out, {this})) node->from = dtype();
  }
  return out;
}

// A contiguous copy; recorded as CloneBackward0 (the identity on gradients).
namespace {
struct CloneBackward0 : autograd::Node {
  std::string name() const override { return "CloneBackward0"; }
  std::vector<Tensor> apply(const std::vector<Tensor>& g) override { return {g[0]}; }
};
}  // namespace

Tensor Tensor::clone() const {
  Tensor out = empty(sizes(), dtype());
  dispatch(dtype(), [&](auto tag) {
    using T = decltype(tag);
    kernels::map_into<T, T>(*this, out.data_ptr<T>(), [](T v) { return v; });
  });
  autograd::record<CloneBackward0>(out, {this});
  return out;
}

Tensor Tensor::contiguous() const { return is_contiguous() ? *this : clone(); }

Tensor& Tensor::fill_(double v) {
  GF_CHECK(is_contiguous(), "fill_: only contiguous tensors");
  dispatch(dtype(), [&](auto tag) {
    using T = decltype(tag);
    T* p = data_ptr<T>();
    std::fill(p, p + numel(), static_cast<T>(v));
  });
  return *this;
}

Tensor& Tensor::copy_(const Tensor& src) {
  GF_CHECK(is_contiguous(), "copy_: destination must be contiguous");
  Tensor s = src.dtype() == dtype() ? src : src.detach().to(dtype());
  Shape shape = broadcast_shapes(sizes(), s.sizes(), "copy_");
  GF_CHECK(shape == sizes(), "copy_: source shape ", s.sizes(),
           " cannot be broadcast to destination shape ", sizes());
  dispatch(dtype(), [&](auto tag) {
    using T = decltype(tag);
    T* out = data_ptr<T>();
    // copy through a broadcasting binary loop whose first operand is ignored
    kernels::binary_into<T, T>(*this, s, shape, out, [](T, T v) { return v; });
  });
  return *this;
}

// ---- autograd state ----

bool Tensor::requires_grad() const { return impl().requires_grad || impl().grad_fn != nullptr; }

Tensor& Tensor::requires_grad_(bool on) {
  GF_CHECK(is_leaf(), "requires_grad_: you can only change requires_grad flags of leaf variables "
           "(this tensor has grad_fn=", grad_fn_name(), ")");
  GF_CHECK(!on || is_floating(dtype()),
           "requires_grad_: only tensors of floating point dtype can require gradients, got ",
           dtype_name(dtype()));
  impl().requires_grad = on;
  return *this;
}

Tensor Tensor::grad() const { return Tensor(impl().grad); }
void Tensor::set_grad(const Tensor& g) { impl().grad = g.impl_ptr(); }
void Tensor::zero_grad() { impl().grad.reset(); }
void Tensor::retain_grad() {
  if (is_leaf()) return;
  impl().retains_grad = true;
  grad_fn()->retained_output = impl_;
}

std::string Tensor::grad_fn_name() const { return grad_fn() ? grad_fn()->name() : ""; }

void Tensor::backward(const Tensor& gradient, bool retain_graph, bool create_graph) const {
  autograd::backward({*this}, gradient.defined() ? std::vector<Tensor>{gradient}
                                                 : std::vector<Tensor>{},
                     retain_graph, create_graph);
}

Tensor Tensor::detach() const { return make_view(*this, sizes(), strides(), storage_offset()); }

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
  GF_CHECK(is_contiguous(), "view: size ", s, " is not compatible with the strides of a "
           "non-contiguous tensor of shape ", sizes(), "; use reshape");
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

// ---- grad mode ----
namespace {
thread_local bool t_grad_enabled = true;
}
bool is_grad_enabled() { return t_grad_enabled; }
void set_grad_enabled(bool on) { t_grad_enabled = on; }
NoGradGuard::NoGradGuard() : previous_(t_grad_enabled) { t_grad_enabled = false; }
NoGradGuard::~NoGradGuard() { t_grad_enabled = previous_; }
AutoGradMode::AutoGradMode(bool on) : previous_(t_grad_enabled) { t_grad_enabled = on; }
AutoGradMode::~AutoGradMode() { t_grad_enabled = previous_; }

}  // namespace gf
