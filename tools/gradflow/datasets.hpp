// The data sets `gradflow train` and `eval` read, from a --data spec:
//   fashion-mnist  Debian's dataset-fashion-mnist (60,000 train / 10,000 test, 784 pixels in [0,1])
//   idx:DIR        the four MNIST-format IDX files in DIR (plain or .gz), pixels scaled to [0,1]
//   csv:FILE       numeric features and a label column (--csv-*); 20% held out as test
//   synthetic      make_classification (embedded: always available)
// Features are [N, F] contiguous in the run's dtype, labels [N] Int64. CSV and synthetic features
// are standardized with statistics of the training part only (saved in checkpoints, so eval and
// predict apply the same transform). Splits permute the rows in place (no second copy).
#pragma once
#include <cstdint>
#include <gradflow/data/preprocessing.hpp>
#include <gradflow/tensor.hpp>
#include <string>
#include <vector>

namespace gf::cli {

struct TrainConfig;

struct Split {
  Tensor X, y;
  int64_t size() const { return X.defined() ? X.size(0) : 0; }
};

struct DataSets {
  std::string description;   // for the summary: "Fashion-MNIST (/usr/share/...)"
  Split train, valid, test;  // valid is empty with --valid-fraction 0
  int64_t num_features = 0, num_classes = 0;
  std::vector<std::string> class_names;
  data::Standardizer standardizer;  // fitted for csv/synthetic (train part only)
};

// Loads config.data and splits it: test from the source (or 20% seeded for csv/synthetic),
// valid = valid_fraction of the training part (seeded by the config's seed). With `fitted`, that
// standardizer (a checkpoint's) is applied instead of fitting one, after checking the feature
// count against `expect_features`. Bad input throws UsageError naming the file and what is wrong.
DataSets load_datasets(const TrainConfig& config, const data::Standardizer* fitted = nullptr,
                       int64_t expect_features = 0);

// Data meeting a checkpoint (resume, eval, predict): features per sample must equal the model's
// and labels (when present) must be < num_classes; UsageError naming `what` otherwise.
void check_compatible(const Split& s, int64_t num_features, int64_t num_classes,
                      const std::string& what);

bool fashion_mnist_installed();

}  // namespace gf::cli
