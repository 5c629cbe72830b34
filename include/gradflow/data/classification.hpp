// Classification data by name, split and scaled the way `gradflow train` does it, so that any
// program (eval of a CLI-trained checkpoint, an embedding application) sees the same samples:
//
//   gf::data::ClassificationSource src{.spec = "csv:iris.csv", .seed = 0};
//   gf::data::ClassificationData d = gf::data::load_classification(src);
//   // d.train / d.valid / d.test: X [N, F] contiguous, y [N] Int64
//
// Specs:
//   fashion-mnist  Debian's dataset-fashion-mnist (60,000 train / 10,000 test, pixels / 255)
//   idx:DIR        the four MNIST-format IDX files in DIR (plain or .gz), pixels / 255
//   csv:FILE       read_csv with `csv`; 20% of the rows held out as the test part
//   synthetic      make_classification (12,000 x 20, 5 classes, random_state 42: fixed data)
// valid = valid_fraction of the training part (0: none). The splits are train_test_split_in_place
// (test seeded by `seed`, valid by seed + 1): rows are permuted in place, never held twice. CSV and
// synthetic features are standardized with the training part's statistics, or with `fitted` when
// given (a checkpoint's), after checking its feature count. Errors (gf::Error) name the spec or
// the file and what is wrong.
//
// With uint8_images, fashion-mnist and idx: keep X as the files' UInt8 pixels (47 MB for
// Fashion-MNIST's training set instead of 188 MB as float32) and d.transform converts rows to
// `dtype` — give it to the data sets (TensorDataset(d.train.X, d.train.y, d.transform)); every
// converted batch has the bits of the float images loaded without it.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "gradflow/data/csv.hpp"
#include "gradflow/data/preprocessing.hpp"
#include "gradflow/data/transforms.hpp"
#include "gradflow/tensor.hpp"

namespace gf::data {

struct ClassificationSource {
  std::string spec;
  CsvOptions csv;  // csv: only (dtype comes from `dtype`)
  DType dtype = DType::Float32;
  uint64_t seed = 0;
  double valid_fraction = 0.1;
  const Standardizer* fitted = nullptr;
  // A model's sizes the data must meet (0: no check): features per sample, and every label of
  // every part below expect_classes.
  int64_t expect_features = 0, expect_classes = 0;
  // fashion-mnist and idx: X stays UInt8 (0..255) and ClassificationData::transform converts it
  // (ToDtype{dtype, scale = true}: pixels / 255). No effect on csv and synthetic data.
  bool uint8_images = false;
};

struct LabeledSplit {
  Tensor X, y;
  int64_t size() const { return X.defined() ? X.size(0) : 0; }
};

struct ClassificationData {
  std::string description;  // "Fashion-MNIST (/usr/share/datasets/fashion-mnist)"
  LabeledSplit train, valid, test;
  int64_t num_features = 0, num_classes = 0;
  std::vector<std::string> class_names;  // names where the source has them, else "0", "1", ...
  Standardizer standardizer;             // fitted for csv and synthetic
  std::vector<std::string> warnings;     // e.g. classes without samples in a CSV
  // Rows of X -> the model's input: ToDtype{dtype, true} when X holds UInt8 images
  // (uint8_images), else empty (X already is the input).
  Transform transform;
};

ClassificationData load_classification(const ClassificationSource& source);

}  // namespace gf::data
