// NF::pad (include/gradflow/nn/pad.hpp). Constant: a filled output with x copied into its
// window (negative amounts crop). Reflect / Replicate / Circular: along each padded dim the
// output gathers x at a fixed index map (j -> source index), so
//   dL/dx = scatter_add of g back through the same maps (repeated sources sum),
// written with scatter_add, whose own backward is gather: double backward works.
#include "gradflow/nn/pad.hpp"

#include <algorithm>

#include "../kernels/elementwise.hpp"
#include "gradflow/autograd/node.hpp"
#include "gradflow/factories.hpp"
#include "gradflow/ops.hpp"

namespace gf::nn::functional {

using autograd::Grads;

namespace {

const char* mode_name(PadMode m) {
  switch (m) {
    case PadMode::Reflect:
      return "reflect";
    case PadMode::Replicate:
      return "replicate";
    case PadMode::Circular:
      return "circular";
    default:
      return "constant";
  }
}

// dst (any strides) = src (same shape, any strides)
void copy_into(const Tensor& dst, const Tensor& src) {
  dispatch(dst.dtype(), [&](auto tag) {
    using T = decltype(tag);
    T* d = static_cast<T*>(dst.impl().storage->data);
    const T* s = static_cast<const T*>(src.impl().storage->data);
    kernels::walk_strided<2>(
        dst.sizes(), {dst.strides(), src.strides()}, {dst.storage_offset(), src.storage_offset()},
        [&](const std::array<int64_t, 2>& off, int64_t n, const std::array<int64_t, 2>& st) {
          for (int64_t i = 0; i < n; ++i) d[off[0] + i * st[0]] = s[off[1] + i * st[1]];
        });
  });
}

// out = value everywhere, x in the window; pad[2i], pad[2i+1] are dim (nd-1-i)'s amounts
Tensor constant_pad(const Tensor& x, const std::vector<int64_t>& pad, double value) {
  std::size_t nd = x.sizes().size(), k = pad.size() / 2;
  Shape out_shape = x.sizes();
  for (std::size_t i = 0; i < k; ++i) {
    std::size_t d = nd - 1 - i;
    int64_t n = x.sizes()[d] + pad[2 * i] + pad[2 * i + 1];
    GF_CHECK(n >= 0, "pad: the input size ", x.sizes()[d], " at dimension ", d, " plus padding (",
             pad[2 * i], ", ", pad[2 * i + 1], ") resulted in a negative output size ", n);
    out_shape[d] = n;
  }
  Tensor out = full(out_shape, value, x.dtype());
  Tensor dst = out, src = x.detach();
  for (std::size_t i = 0; i < k; ++i) {
    int64_t d = static_cast<int64_t>(nd - 1 - i), n = x.sizes()[d];
    int64_t l = pad[2 * i], r = pad[2 * i + 1];
    int64_t s0 = std::max<int64_t>(0, -l), len = n - s0 - std::max<int64_t>(0, -r);
    if (len <= 0) return out;
    src = make_view(
        src,
        [&] {
          Shape s = src.sizes();
          s[d] = len;
          return s;
        }(),
        src.strides(), src.storage_offset() + s0 * src.strides()[d]);
    int64_t d0 = std::max<int64_t>(0, l);
    dst = make_view(
        dst,
        [&] {
          Shape s = dst.sizes();
          s[d] = len;
          return s;
        }(),
        dst.strides(), dst.storage_offset() + d0 * dst.strides()[d]);
  }
  if (src.numel() > 0) copy_into(dst, src);
  return out;
}

// For output positions j of a dim of size n padded by (l, r): the source index in x.
std::vector<double> index_map(int64_t n, int64_t l, int64_t r, PadMode mode) {
  std::vector<double> idx(n + l + r);
  for (int64_t j = 0; j < n + l + r; ++j) {
    int64_t i = j - l;
    if (mode == PadMode::Reflect)
      i = i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i;
    else if (mode == PadMode::Replicate)
      i = std::clamp<int64_t>(i, 0, n - 1);
    else
      i = ((i % n) + n) % n;
    idx[j] = static_cast<double>(i);
  }
  return idx;
}

void check_mode_pad(const Tensor& x, const std::vector<int64_t>& pad, PadMode mode) {
  std::size_t k = pad.size() / 2, nd = x.sizes().size();
  GF_CHECK(k >= 1 && k <= 3, "pad: ", mode_name(mode),
           " padding supports padding the last 1, 2 or 3 dimensions, got a padding of length ",
           pad.size());
  if (mode == PadMode::Circular)  // torch 1.13: batched inputs only
    GF_CHECK(nd == k + 2, "pad: circular padding of ", k, " dims expects a ", k + 2,
             "-D input, got shape ", x.sizes());
  else
    GF_CHECK(nd == k + 1 || nd == k + 2, "pad: ", mode_name(mode), " padding of ", k,
             " dims expects a ", k + 1, "-D or ", k + 2, "-D input, got shape ", x.sizes());
  for (std::size_t i = 0; i < k; ++i) {
    std::size_t d = nd - 1 - i;
    int64_t n = x.sizes()[d], l = pad[2 * i], r = pad[2 * i + 1];
    GF_CHECK(l >= 0 && r >= 0, "pad: ", mode_name(mode),
             " padding amounts must be non-negative, "
             "got (",
             l, ", ", r, ") at dimension ", d);
    GF_CHECK(n > 0, "pad: ", mode_name(mode), " padding needs a non-empty dimension ", d,
             " (input shape ", x.sizes(), ")");
    if (mode == PadMode::Reflect)
      GF_CHECK(l < n && r < n,
               "pad: Padding size should be less than the corresponding input "
               "dimension, but got: padding (",
               l, ", ", r, ") at dimension ", d, " of input ", x.sizes());
    if (mode == PadMode::Circular)
      GF_CHECK(l <= n && r <= n,
               "pad: Padding value causes wrapping around more than once: "
               "padding (",
               l, ", ", r, ") at dimension ", d, " of input ", x.sizes());
  }
}

}  // namespace

// Constant:  dL/dx = pad(g, -pad), the window cut out of g again.
// Reflect / Replicate / Circular:  out = x gathered along each padded dim at its index map, so
//   dL/dx = g scatter_add-ed back through the maps, last padded dim first (repeats sum).
Tensor pad(const Tensor& x, const PadFuncOptions& options) {
  const std::vector<int64_t>& p = options.pad();
  GF_CHECK(p.size() % 2 == 0, "pad: Padding length must be divisible by 2, got ", p.size());
  GF_CHECK(static_cast<int64_t>(p.size() / 2) <= x.dim(),
           "pad: Padding length should be less than or equal to two times the input dimension "
           "but got padding length ",
           p.size(), " and input of dimension ", x.dim());
  PadMode mode = options.mode();
  Shape in_shape = x.sizes();
  if (mode == PadMode::Constant) {
    Tensor out = constant_pad(x, p, options.value());
    std::vector<int64_t> back(p.size());
    for (std::size_t i = 0; i < p.size(); ++i) back[i] = -p[i];
    // dL/dx = g with the padding cut off again: pad(g, -pad)
    autograd::record(out, "ConstantPadNdBackward0", {x},
                     [back](const Tensor& g) -> Grads { return {pad(g, PadFuncOptions(back))}; });
    return out;
  }
  GF_CHECK(options.value() == 0, "pad: padding mode \"", mode_name(mode),
           "\" doesn't take in value argument");
  check_mode_pad(x, p, mode);
  std::size_t k = p.size() / 2, nd = in_shape.size();
  std::vector<Tensor> maps;
  Tensor out = x.detach();
  {
    NoGradGuard no_grad;
    for (std::size_t i = 0; i < k; ++i) {
      int64_t d = static_cast<int64_t>(nd - 1 - i);
      maps.push_back(tensor(index_map(in_shape[d], p[2 * i], p[2 * i + 1], mode),
                            {in_shape[d] + p[2 * i] + p[2 * i + 1]}, DType::Int64));
      out = index_select(out, d, maps.back());
    }
  }
  static const char* const names[] = {"CopySlices",
                                      "ReflectionPad1DBackward0",
                                      "ReflectionPad2DBackward0",
                                      "ReflectionPad3DBackward0",
                                      "ReplicationPad1DBackward0",
                                      "ReplicationPad2DBackward0",
                                      "ReplicationPad3DBackward0"};
  const char* node_name = mode == PadMode::Circular  ? names[0]
                          : mode == PadMode::Reflect ? names[k]
                                                     : names[3 + k];
  // dL/dx: undo the dims in reverse order, summing g into each source index
  autograd::record(out, node_name, {x}, [maps, in_shape, nd](const Tensor& g) -> Grads {
    Tensor r = g;
    for (std::size_t i = maps.size(); i-- > 0;) {
      int64_t d = static_cast<int64_t>(nd - 1 - i);
      Shape before = r.sizes();
      before[d] = in_shape[d];
      Shape view = Shape::filled(nd, 1);
      view[d] = maps[i].numel();
      Tensor idx = expand(reshape(maps[i], view), r.sizes());
      r = scatter_add(zeros(before, g.dtype()), d, idx, r);
    }
    return {r};
  });
  return out;
}

}  // namespace gf::nn::functional
