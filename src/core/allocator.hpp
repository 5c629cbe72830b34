// The caching allocator: buffers freed by one training step are handed to the next instead of
// going back to malloc. Bins are exact byte sizes (a training loop asks for the same sizes every
// step); the cache per thread is bounded so memory stays flat.
#pragma once
#include <cstddef>

namespace gf::detail {

void* allocate_buffer(std::size_t nbytes);
void free_buffer(void* p, std::size_t nbytes);
std::size_t cached_bytes();  // held by this thread's cache, for tests

}  // namespace gf::detail
