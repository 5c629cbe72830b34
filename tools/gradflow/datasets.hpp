// The data sets `gradflow train` and `eval` read, from a --data spec:
//   fashion-mnist  Debian's dataset-fashion-mnist (60,000 train / 10,000 test, 784 pixels in [0,1])
//   idx:DIR        the four MNIST-format IDX files in DIR (plain or .gz)
//   csv:FILE       numeric features, integer label in the last column; 20% held out as test
//   synthetic      make_classification (embedded: always available)
// Features are [N, F] contiguous in the run's dtype, labels [N] Int64. CSV and synthetic features
// are standardized with statistics of the training part only (saved in checkpoints, so eval and
// predict apply the same transform).
#pragma once
#include <cstdint>
#include <gradflow/data/preprocessing.hpp>
#include <gradflow/tensor.hpp>
#include <string>
#include <vector>

namespace gf::cli {

struct Split {
  Tensor X, y;
  int64_t size() const { return X.defined() ? X.size(0) : 0; }
};

struct DataSets {
  std::string spec;         // as given
  std::string description;  // for the summary: "Fashion-MNIST (/usr/share/...)"
  Split train, valid, test;
  int64_t num_features = 0, num_classes = 0;
  std::vector<std::string> class_names;
  data::Standardizer standardizer;  // fitted for csv/synthetic (train part only)
};

// Loads the spec and splits: test from the source (or 20% seeded for csv/synthetic), valid =
// valid_fraction of the training part (seeded by `seed`). Bad input throws UsageError naming the
// file and what is wrong.
DataSets load_datasets(const std::string& spec, DType dtype, uint64_t seed, double valid_fraction);

// Data meeting a checkpoint (resume, eval, predict): features per sample must equal the model's
// and labels (when present) must be < num_classes; UsageError naming `what` otherwise.
void check_compatible(const Split& s, int64_t num_features, int64_t num_classes,
                      const std::string& what);

bool fashion_mnist_installed();

}  // namespace gf::cli
