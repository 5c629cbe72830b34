#include "allocator.hpp"

#include <cstdlib>
#include <new>
#include <unordered_map>
#include <vector>

namespace gf::detail {

namespace {

constexpr std::size_t kAlignment = 64;                 // a cache line; AVX-512 loads
constexpr std::size_t kMaxCachedBytes = 256ull << 20;  // per thread
constexpr std::size_t kMaxCachedPerBin = 64;
// Larger buffers are data sets and whole-set evaluations, not step-to-step scratch: they go back
// to the system at once, so peak memory is not doubled by a cached copy.
constexpr std::size_t kMaxCachedBuffer = 16ull << 20;

std::size_t round_up(std::size_t n) { return (n + kAlignment - 1) / kAlignment * kAlignment; }

// Tensors that outlive this thread's cache (static objects freed at exit) go straight to free().
thread_local bool cache_destroyed = false;

struct Cache {
  std::unordered_map<std::size_t, std::vector<void*>> bins;
  std::size_t bytes = 0;
  ~Cache() {
    cache_destroyed = true;
    for (auto& [size, list] : bins)
      for (void* p : list) std::free(p);
  }
};

Cache& cache() {
  thread_local Cache c;
  return c;
}

}  // namespace

void* allocate_buffer(std::size_t nbytes) {
  std::size_t size = round_up(nbytes == 0 ? 1 : nbytes);
  if (cache_destroyed) return std::aligned_alloc(kAlignment, size);
  Cache& c = cache();
  auto it = c.bins.find(size);
  if (it != c.bins.end() && !it->second.empty()) {
    void* p = it->second.back();
    it->second.pop_back();
    c.bytes -= size;
    return p;
  }
  void* p = std::aligned_alloc(kAlignment, size);
  if (!p) throw std::bad_alloc();
  return p;
}

void free_buffer(void* p, std::size_t nbytes) {
  if (!p) return;
  if (cache_destroyed) return std::free(p);
  std::size_t size = round_up(nbytes == 0 ? 1 : nbytes);
  Cache& c = cache();
  if (size > kMaxCachedBuffer) return std::free(p);
  auto& bin = c.bins[size];
  if (size > kMaxCachedBuffer || c.bytes + size > kMaxCachedBytes ||
      bin.size() >= kMaxCachedPerBin) {
    std::free(p);
    return;
  }
  bin.push_back(p);
  c.bytes += size;
}

std::size_t cached_bytes() { return cache().bytes; }

namespace {

constexpr std::size_t kSmallClass = 32;
constexpr std::size_t kNumSmallClasses = kMaxSmallObject / kSmallClass;
constexpr std::size_t kMaxPooledBytes = 32ull << 20;  // per thread; beyond it, blocks go back

thread_local bool small_pool_destroyed = false;

struct SmallPool {
  struct Block {
    Block* next;
  };
  Block* heads[kNumSmallClasses] = {};
  std::size_t bytes = 0;
  ~SmallPool() {
    small_pool_destroyed = true;
    for (Block* b : heads)
      while (b) {
        Block* next = b->next;
        ::operator delete(b);
        b = next;
      }
  }
};

SmallPool& small_pool() {
  thread_local SmallPool p;
  return p;
}

}  // namespace

// Under AddressSanitizer the pool is bypassed: a block handed back and reused would hide a
// use-after-free of a tensor impl, storage or node from it.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kPoolSmallObjects = false;
#else
constexpr bool kPoolSmallObjects = true;
#endif

void* allocate_small(std::size_t nbytes) {
  if (!kPoolSmallObjects || nbytes > kMaxSmallObject || small_pool_destroyed)
    return ::operator new(nbytes);
  std::size_t c = (nbytes + kSmallClass - 1) / kSmallClass - (nbytes > 0);
  SmallPool& p = small_pool();
  if (SmallPool::Block* b = p.heads[c]) {
    p.heads[c] = b->next;
    p.bytes -= (c + 1) * kSmallClass;
    return b;
  }
  return ::operator new((c + 1) * kSmallClass);
}

void free_small(void* ptr, std::size_t nbytes) {
  if (!kPoolSmallObjects || nbytes > kMaxSmallObject || small_pool_destroyed)
    return ::operator delete(ptr);
  std::size_t c = (nbytes + kSmallClass - 1) / kSmallClass - (nbytes > 0);
  SmallPool& p = small_pool();
  if (p.bytes + (c + 1) * kSmallClass > kMaxPooledBytes) return ::operator delete(ptr);
  auto* b = static_cast<SmallPool::Block*>(ptr);
  b->next = p.heads[c];
  p.heads[c] = b;
  p.bytes += (c + 1) * kSmallClass;
}

}  // namespace gf::detail

// The graph nodes' pool (NodeAllocator in autograd/node.hpp declares these two; they are defined
// here, beside the pool, so that autograd includes nothing from core).
namespace gf::autograd::detail {
void* allocate_node(std::size_t nbytes) { return gf::detail::allocate_small(nbytes); }
void free_node(void* p, std::size_t nbytes) { gf::detail::free_small(p, nbytes); }
}  // namespace gf::autograd::detail
