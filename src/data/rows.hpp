// Internal: gathers rows of a tensor along dim 0 with one memcpy per row into one fresh
// contiguous buffer (index_select(0, idx) without autograd, tensor objects or per-element work).
#pragma once
#include <algorithm>
#include <cstring>

#include "gradflow/tensor.hpp"

namespace gf::data::detail {

// src must be contiguous with dim() >= 1; every idx[i] must be in [0, src.size(0)).
inline Tensor take_rows(const Tensor& src, const int64_t* idx, int64_t n) {
  Shape shape = src.sizes();
  shape[0] = n;
  Tensor out = empty(shape, src.dtype());
  const std::size_t row_bytes =
      static_cast<std::size_t>(src.size(0) ? src.numel() / src.size(0) : 0) *
      element_size(src.dtype());
  if (row_bytes == 0) return out;
  const char* from = static_cast<const char*>(src.impl().storage->data) +
                     src.storage_offset() * element_size(src.dtype());
  char* to = static_cast<char*>(out.impl().storage->data);
  // Shuffled rows are random DRAM accesses: prefetch a few rows ahead so the copy streams.
  constexpr int64_t kAhead = 4;
  auto prefetch = [&](int64_t i) {
    const char* r = from + idx[i] * row_bytes;
    for (std::size_t b = 0; b < row_bytes; b += 64) __builtin_prefetch(r + b);
  };
  for (int64_t i = 0; i < std::min(n, kAhead); ++i) prefetch(i);
  for (int64_t i = 0; i < n; ++i) {
    if (i + kAhead < n) prefetch(i + kAhead);
    std::memcpy(to + i * row_bytes, from + idx[i] * row_bytes, row_bytes);
  }
  return out;
}

// A contiguous, history-free version of t (no copy when it already is one).
inline Tensor contiguous_data(const Tensor& t) {
  Tensor d = t.detach();
  return d.is_contiguous() ? d : d.contiguous().detach();
}

}  // namespace gf::data::detail
