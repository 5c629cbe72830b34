// IDX files (the MNIST / Fashion-MNIST format), plain or gzip-compressed:
//   [0x00 0x00 type ndims][ndims x u32 big-endian sizes][data, big-endian, row-major]
//   type: 0x08 u8, 0x09 i8, 0x0B i16, 0x0C i32, 0x0D f32, 0x0E f64.
// Everything is validated before the data buffer is allocated; errors name the file and what is
// wrong: "read_idx: /data/x.idx: truncated: expected 47040000 bytes of data, found 1000".
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "gradflow/tensor.hpp"

namespace gf::data {

// Where Debian's dataset-fashion-mnist package installs the files.
inline constexpr const char* kFashionMnistDir = "/usr/share/datasets/fashion-mnist";

// The whole file as a tensor of its shape: integer types -> Int64, 0x0D -> Float32,
// 0x0E -> Float64. Plain or gzip is detected from the content, not the name.
Tensor read_idx(const std::string& path);

// A train/test pair of image and label IDX files.
struct IdxDataset {
  Tensor train_images;  // [N, prod(image dims)] floating, u8 pixels scaled to [0, 1]; or UInt8
  Tensor train_labels;  // [N] Int64
  Tensor test_images;
  Tensor test_labels;
  int64_t num_classes = 0;  // 1 + the largest label (every class 0..C-1 has samples)
};

// Reads train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and
// t10k-labels-idx1-ubyte (each optionally .gz) from dir. Images must be u8; labels u8, one per
// image. Pixels go straight from bytes to `dtype` (no Int64 intermediate): a floating dtype gets
// pixels / 255 (ToDtype{dtype, true}); DType::UInt8 keeps the file's bytes (no conversion, a
// quarter of float32's memory) for a data set that converts per batch (TensorDataset with
// ToDtype{Float32, true}: the same bits as Float32 here). The classes are
// 0..C-1, each with samples in train or test: a label past the first class without samples
// (e.g. a stray 255 in a 10-class set) throws gf::Error naming the file, item and label.
IdxDataset load_idx_dataset(const std::string& dir, DType dtype = DType::Float32);

// load_idx_dataset on Fashion-MNIST, also checking 28x28 images and 10 classes. A missing
// directory or file gives an error that says how to install dataset-fashion-mnist.
IdxDataset load_fashion_mnist(const std::string& dir = kFashionMnistDir,
                              DType dtype = DType::Float32);
bool fashion_mnist_available(const std::string& dir = kFashionMnistDir);
// "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
// "Ankle boot".
const std::vector<std::string>& fashion_mnist_classes();

}  // namespace gf::data
