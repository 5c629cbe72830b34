#include "gradflow/tensor.hpp"

#include <sys/single_threaded.h>

#include <atomic>
#include <cstddef>
#include <cstring>
#include <new>

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

namespace {

// A fresh tensor's TensorImpl and its Storage, each with its shared_ptr control block, share one
// pooled block: one allocation and one free instead of two (the 1,000-op chain makes and frees
// one tensor per op). The two keep their own reference counts, unchanged: a view or a saved
// tensor may hold the storage long after the impl is gone, and the impl holds the storage, so
// neither can own the other. The block is returned when the second of the two control blocks
// deallocates its slot.
constexpr std::size_t kImplSlot = sizeof(TensorImpl) + 32;  // + vptr, counts, allocator
constexpr std::size_t kStorageSlot = sizeof(Storage) + 32;
struct TensorBlock {
  alignas(std::max_align_t) unsigned char impl_slot[kImplSlot];
  alignas(std::max_align_t) unsigned char storage_slot[kStorageSlot];
  std::atomic<int> parts;  // slots not yet deallocated
};
static_assert(sizeof(TensorBlock) <= detail::kMaxSmallObject);

void release_part(TensorBlock* b) {
  // Like libstdc++'s own counts: plain arithmetic while the process has one thread. A part can
  // be released on another thread than the one that made it (a tensor handed to a worker).
  bool last = __libc_single_threaded
                  ? (b->parts.store(b->parts.load(std::memory_order_relaxed) - 1,
                                    std::memory_order_relaxed),
                     b->parts.load(std::memory_order_relaxed) == 0)
                  : b->parts.fetch_sub(1, std::memory_order_acq_rel) == 1;
  if (last) {
    b->~TensorBlock();
    detail::free_small(b, sizeof(TensorBlock));
  }
}

// Hands out one slot of a TensorBlock (Slot 0: the impl's control block, 1: the storage's).
template <class T, int Slot>
struct BlockAllocator {
  using value_type = T;
  template <class U>
  struct rebind {
    using other = BlockAllocator<U, Slot>;
  };
  explicit BlockAllocator(TensorBlock* b) : block(b) {}
  template <class U>
  BlockAllocator(const BlockAllocator<U, Slot>& o) : block(o.block) {}  // NOLINT
  T* allocate(std::size_t n) {
    static_assert(sizeof(T) <= (Slot == 0 ? kImplSlot : kStorageSlot));
    (void)n;  // allocate_shared asks for exactly one control block
    return reinterpret_cast<T*>(Slot == 0 ? block->impl_slot : block->storage_slot);
  }
  void deallocate(T*, std::size_t) { release_part(block); }
  template <class U>
  bool operator==(const BlockAllocator<U, Slot>& o) const {
    return block == o.block;
  }
  TensorBlock* block;
};

}  // namespace

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
  auto* block = new (detail::allocate_small(sizeof(TensorBlock))) TensorBlock;
  block->parts.store(2, std::memory_order_relaxed);
  std::shared_ptr<Storage> storage;
  try {
    storage = std::allocate_shared<Storage>(BlockAllocator<Storage, 1>(block),
                                            shape.numel() * element_size(dtype));
  } catch (...) {
    // allocate_shared gave its slot back (parts is 1); the impl's slot was never used
    block->~TensorBlock();
    detail::free_small(block, sizeof(TensorBlock));
    throw;
  }
  // 0-d: no strides to compute (two calls saved: 3% of the scalar chain's instructions)
  Shape strides = shape.empty() ? Shape() : contiguous_strides(shape);
  return Tensor(std::allocate_shared<TensorImpl>(BlockAllocator<TensorImpl, 0>(block),
                                                 std::move(storage), shape, strides, 0, dtype));
}

Tensor make_view(const Tensor& t, const Shape& sizes, const Shape& strides, int64_t offset) {
  return Tensor(std::allocate_shared<TensorImpl>(detail::PoolAllocator<TensorImpl>(),
                                                 t.impl().storage, sizes, strides, offset,
                                                 t.dtype()));
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
