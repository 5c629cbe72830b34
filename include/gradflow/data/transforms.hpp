// Transforms of feature rows, as torchvision.transforms, applied to whole batches: a data set
// keeps its images compact (UInt8, a quarter of float32's memory) and converts each gathered
// batch, the way torchvision's ToTensor converts each PIL image.
//
//   gf::data::TensorDataset train(pixels_u8, labels, gf::data::ToDtype{gf::DType::Float32, true});
//   gf::data::DataLoader loader(train, {.batch_size = 128, .shuffle = true});
//   // every batch.data: Float32 pixels / 255, the same bits as converting the whole set first
#pragma once
#include <functional>

#include "gradflow/tensor.hpp"

namespace gf::data {

// Maps feature rows (a batch [B, ...] or one sample [...]) to the model's input. Called without
// autograd history on data; returns a tensor that the caller owns (it may alias the input when
// there is nothing to do).
using Transform = std::function<Tensor(const Tensor&)>;

// torchvision.transforms.v2.ToDtype(dtype, scale): converts to `dtype`. With scale = true and an
// integer input, the values are divided by the input type's largest value, in `dtype`:
//   UInt8 x -> T(x) / T(255)      (a correctly rounded division: the values of torchvision's
//                                   ToTensor and ConvertImageDtype, x.float().div(255))
// — the bits load_idx_dataset(dir, Float32) stores. A floating input is only converted, never
// scaled (as in torchvision), so applying ToDtype to already-converted rows changes nothing.
// Requires a floating `dtype` when scale is true (gf::Error otherwise). Same shape; contiguous.
struct ToDtype {
  DType dtype = DType::Float32;
  bool scale = false;
  Tensor operator()(const Tensor& x) const;
};

}  // namespace gf::data
