#include "gradflow/tensor.hpp"

#include <cstring>

#include "../kernels/elementwise.hpp"
#include "allocator.hpp"
#include "gradflow/factories.hpp"

namespace gf {

Storage::Storage(std::size_t n)
    : data(n <= kInlineBytes ? inline_bytes : detail::allocate_buffer(n)), nbytes(n) {}
Storage::~Storage() {
  if (data != inline_bytes && !owner) detail::free_buffer(data, nbytes);
}

void Tensor::throw_undefined() { throw Error("Tensor: operation on an undefined tensor"); }

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
  auto impl = std::allocate_shared<TensorImpl>(detail::PoolAllocator<TensorImpl>());
  impl->storage = std::allocate_shared<Storage>(detail::PoolAllocator<Storage>(),
                                                shape.numel() * element_size(dtype));
  impl->sizes = shape;
  impl->strides = contiguous_strides(shape);
  impl->dtype = dtype;
  return Tensor(std::move(impl));
}

Tensor make_view(const Tensor& t, const Shape& sizes, const Shape& strides, int64_t offset) {
  auto impl = std::allocate_shared<TensorImpl>(detail::PoolAllocator<TensorImpl>());
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


Tensor Tensor::detach() const { return make_view(*this, sizes(), strides(), storage_offset()); }

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
