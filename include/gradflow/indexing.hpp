// PyTorch's indexing from C++, as libtorch spells it:
//
//   using namespace gf::indexing;
//   x.index({0, Slice(1, None), idx})            // x[0, 1:, idx]
//   x.index({Ellipsis, None, Slice(None, None, 2)})  // x[..., None, ::2]
//   x.index({x > 0})                              // a Bool mask: x[x > 0]
//   x.index_put_({mask}, 0.0);                    // x[mask] = 0
//
// Ints select (the dim goes away), Slices take strided views, None inserts a dim of size 1,
// Ellipsis stands for as many full slices as needed; all of these are views. Int64 tensors (and
// Bool masks, which become their nonzero() coordinates) are advanced indices: they broadcast
// together, and the result takes their broadcast shape in place of the indexed dims when those
// are adjacent, or in front otherwise (PyTorch's rule; ints are applied first, as in torch's
// C++ indexing). Advanced indexing copies (IndexBackward0; its backward sums into repeated
// indices, so it is exact with duplicates).
#pragma once
#include <cstdint>
#include <optional>
#include <vector>

#include "gradflow/tensor.hpp"

namespace gf::indexing {

inline constexpr std::nullopt_t None = std::nullopt;

struct EllipsisIndexType {};
inline constexpr EllipsisIndexType Ellipsis{};

// start:stop:step with Python's defaults and negative wrapping; step must be positive.
struct Slice {
  Slice(std::optional<int64_t> start = std::nullopt, std::optional<int64_t> stop = std::nullopt,
        std::optional<int64_t> step = std::nullopt)
      : start(start), stop(stop), step(step) {}
  std::optional<int64_t> start, stop, step;
};

class TensorIndex {
 public:
  enum class Kind { Integer, Slice, None, Ellipsis, Tensor };
  TensorIndex(int64_t i) : kind_(Kind::Integer), integer_(i) {}          // NOLINT
  TensorIndex(int i) : kind_(Kind::Integer), integer_(i) {}              // NOLINT
  TensorIndex(Slice s) : kind_(Kind::Slice), slice_(s) {}                // NOLINT
  TensorIndex(std::nullopt_t) : kind_(Kind::None) {}                     // NOLINT
  TensorIndex(EllipsisIndexType) : kind_(Kind::Ellipsis) {}              // NOLINT
  TensorIndex(const char* s);                                            // NOLINT: "..."
  TensorIndex(Tensor t) : kind_(Kind::Tensor), tensor_(std::move(t)) {}  // NOLINT

  Kind kind() const { return kind_; }
  int64_t integer() const { return integer_; }
  const Slice& slice() const { return slice_; }
  const Tensor& tensor() const { return tensor_; }

 private:
  Kind kind_;
  int64_t integer_ = 0;
  Slice slice_;
  Tensor tensor_;
};

}  // namespace gf::indexing

namespace gf {

// x[indices] (IndexBackward0 for the advanced part; basic indices are views).
Tensor index(const Tensor& x, const std::vector<indexing::TensorIndex>& indices);
// self[indices] = values (accumulate: +=), in place; values broadcast to the indexed shape
// (IndexPutBackward0: dL/dself = g with the written positions zeroed, dL/dvalues = g[indices]).
Tensor& index_put_(Tensor& self, const std::vector<indexing::TensorIndex>& indices,
                   const Tensor& values, bool accumulate = false);
// The out-of-place form: a copy of self with the values put.
Tensor index_put(const Tensor& self, const std::vector<indexing::TensorIndex>& indices,
                 const Tensor& values, bool accumulate = false);

}  // namespace gf
