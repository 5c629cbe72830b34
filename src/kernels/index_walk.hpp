// Walks an Int64 index tensor (any strides) together with a destination/source tensor `t`
// (t's strides, except 0 along `dim`) and, when defined, `src` (index's shape, its own strides):
// f(t_offset, idx, src_offset) per element, with idx checked against t's size along dim.
// The loop behind gather, scatter and scatter_add.
#pragma once
#include "elementwise.hpp"

namespace gf::kernels {

template <class F>
void walk_index(const Tensor& t, int64_t dim, const Tensor& index, const Tensor& src,
                const char* op, F&& f) {
  Shape ts = t.strides();
  ts[dim] = 0;
  int64_t size = t.sizes()[dim];
  const int64_t* ip = static_cast<const int64_t*>(index.impl().storage->data);
  Shape ss = src.defined() ? src.strides() : Shape::filled(index.dim(), 0);
  int64_t so = src.defined() ? src.storage_offset() : 0;
  walk_strided<3>(
      index.sizes(), {ts, index.strides(), ss}, {t.storage_offset(), index.storage_offset(), so},
      [&](const std::array<int64_t, 3>& off, int64_t n, const std::array<int64_t, 3>& st) {
        for (int64_t i = 0; i < n; ++i) {
          int64_t idx = ip[off[1] + i * st[1]];
          if (idx < 0 || idx >= size)
            detail::fail(op, ": index ", idx, " is out of bounds for dimension ", dim,
                         " with size ", size);
          f(off[0] + i * st[0], idx, off[2] + i * st[2]);
        }
      });
}

}  // namespace gf::kernels
