// The caching allocator: buffers freed by one training step are handed to the next instead of
// going back to malloc. Bins are exact byte sizes (a training loop asks for the same sizes every
// step); the cache per thread is bounded so memory stays flat.
#pragma once
#include <cstddef>

namespace gf::detail {

void* allocate_buffer(std::size_t nbytes);
void free_buffer(void* p, std::size_t nbytes);
std::size_t cached_bytes();  // held by this thread's cache, for tests

// Small objects (tensor impls, storages, graph nodes: each op makes and frees a few) come from
// per-thread free lists by 32-byte size class. glibc's own per-thread cache keeps only 7 blocks
// per size, so a 1,000-op graph freed at once went through its slow path (~25% of the per-op
// instructions). Blocks over kMaxSmallObject bytes go to operator new directly.
constexpr std::size_t kMaxSmallObject = 1024;
void* allocate_small(std::size_t nbytes);
void free_small(void* p, std::size_t nbytes);

// For std::allocate_shared: the object and its control block in one pooled block.
template <class T>
struct PoolAllocator {
  using value_type = T;
  PoolAllocator() = default;
  template <class U>
  PoolAllocator(const PoolAllocator<U>&) {}  // NOLINT(google-explicit-constructor)
  T* allocate(std::size_t n) { return static_cast<T*>(allocate_small(n * sizeof(T))); }
  void deallocate(T* p, std::size_t n) { free_small(p, n * sizeof(T)); }
  template <class U>
  bool operator==(const PoolAllocator<U>&) const {
    return true;
  }
};

}  // namespace gf::detail
