#include "datasets.hpp"

#include <filesystem>
#include <gradflow/data/csv.hpp>
#include <gradflow/data/idx.hpp>
#include <gradflow/data/synthetic.hpp>
#include <gradflow/error.hpp>
#include <iostream>

#include "command.hpp"
#include "train_config.hpp"

namespace gf::cli {
namespace {

namespace fs = std::filesystem;

constexpr const char* kInstallHint =
    "Fashion-MNIST is not installed: install Debian's package with\n"
    "  sudo apt-get install dataset-fashion-mnist\n"
    "(files go to /usr/share/datasets/fashion-mnist), or train on --data synthetic";

// The embedded synthetic set: 5 classes in 20 features (10 informative, 4 redundant), fixed
// (random_state 42) so every run and every machine sees the same data; the run's seed only
// changes the splits, the initialisation and the shuffling.
data::LabeledData synthetic_data(DType dtype) {
  data::MakeClassificationOptions o;
  o.n_samples = 12000;
  o.n_features = 20;
  o.n_informative = 10;
  o.n_redundant = 4;
  o.n_classes = 5;
  o.n_clusters_per_class = 2;
  o.class_sep = 1.0;
  o.random_state = 42;
  o.dtype = dtype;
  return data::make_classification(o);
}

// The largest label (-1 for none); UsageError on a negative one.
int64_t max_label(const Tensor& y) {
  const int64_t* p = y.data_ptr<int64_t>();
  int64_t m = -1;
  for (int64_t i = 0; i < y.numel(); ++i) {
    if (p[i] < 0)
      throw UsageError("label " + std::to_string(p[i]) + " at row " + std::to_string(i + 1) +
                       " is negative");
    m = std::max(m, p[i]);
  }
  return m;
}

// {rest, held_out}: `fraction` of the rows held out, in place (views of the same buffer).
std::pair<Split, Split> hold_out(Tensor X, Tensor y, double fraction, uint64_t seed) {
  auto s = data::train_test_split_in_place(X, y, fraction, seed);
  return {Split{s.X_train, s.y_train}, Split{s.X_test, s.y_test}};
}

}  // namespace

bool fashion_mnist_installed() { return data::fashion_mnist_available(); }

DataSets load_datasets(const TrainConfig& c, const data::Standardizer* fitted,
                       int64_t expect_features) {
  const std::string& spec = c.data;
  const DType dtype = c.tensor_dtype();
  DataSets d;
  Split train_all;
  bool standardize = false;
  if (spec == "fashion-mnist" || spec.rfind("idx:", 0) == 0) {
    data::IdxDataset idx;
    if (spec == "fashion-mnist") {
      if (!fashion_mnist_installed()) throw UsageError(kInstallHint);
      idx = data::load_fashion_mnist(data::kFashionMnistDir, dtype);
      d.description = std::string("Fashion-MNIST (") + data::kFashionMnistDir + ")";
      d.class_names = data::fashion_mnist_classes();
    } else {
      std::string dir = spec.substr(4);
      if (!fs::is_directory(dir))
        throw UsageError("--data " + spec + ": " + dir + " is not a directory");
      idx = data::load_idx_dataset(dir, dtype);
      d.description = "IDX files in " + dir;
    }
    train_all = {idx.train_images.contiguous(), idx.train_labels.contiguous()};
    d.test = {idx.test_images.contiguous(), idx.test_labels.contiguous()};
    d.num_classes = idx.num_classes;
  } else if (spec.rfind("csv:", 0) == 0) {
    std::string file = spec.substr(4);
    if (!fs::exists(file)) throw UsageError("--data " + spec + ": " + file + " does not exist");
    data::CsvOptions o;
    o.dtype = dtype;
    o.delimiter = c.csv_delimiter.empty() ? ',' : c.csv_delimiter[0];
    o.label_column = c.csv_label_column;
    o.string_labels = c.csv_string_labels;
    auto csv = data::read_csv(file, o);
    if (csv.features.size(0) < 10)
      throw UsageError(file + ": " + std::to_string(csv.features.size(0)) +
                       " rows; need at least 10 to split into train, valid and test");
    const int64_t classes = std::max(csv.num_classes, max_label(csv.labels) + 1);
    if (classes > csv.features.size(0))
      throw UsageError("--data " + spec + ": the largest label is " + std::to_string(classes - 1) +
                       ", more classes than the " + std::to_string(csv.features.size(0)) +
                       " samples; labels must be class ids 0..C-1");
    std::vector<int64_t> count(static_cast<size_t>(classes), 0);
    for (int64_t i = 0; i < csv.labels.numel(); ++i) ++count[csv.labels.data_ptr<int64_t>()[i]];
    std::string empty;
    for (int64_t k = 0; k < classes; ++k)
      if (count[k] == 0) empty += (empty.empty() ? "" : ", ") + std::to_string(k);
    if (!empty.empty())
      std::cerr << "warning: " << file << ": no samples of class " << empty << " (labels run 0.."
                << classes - 1 << "); the model still has " << classes << " outputs\n";
    std::tie(train_all, d.test) = hold_out(csv.features, csv.labels, 0.2, c.seed);
    d.num_classes = classes;
    d.class_names = csv.class_names;
    d.description = "CSV " + file;
    standardize = true;
  } else if (spec == "synthetic") {
    auto s = synthetic_data(dtype);
    std::tie(train_all, d.test) = hold_out(s.X, s.y, 0.2, c.seed);
    d.num_classes = 5;
    d.description = "synthetic (make_classification: 12000 samples, 20 features, 5 classes)";
    standardize = true;
  } else {
    throw UsageError("--data " + spec + ": expected fashion-mnist, idx:DIR, csv:FILE or synthetic");
  }
  if (d.class_names.size() != static_cast<size_t>(d.num_classes)) {
    d.class_names.clear();
    for (int64_t i = 0; i < d.num_classes; ++i) d.class_names.push_back(std::to_string(i));
  }
  if (c.valid_fraction > 0)
    std::tie(d.train, d.valid) = hold_out(train_all.X, train_all.y, c.valid_fraction, c.seed + 1);
  else
    d.train = train_all;
  d.num_features = d.train.X.numel() / std::max<int64_t>(1, d.train.size());
  if (fitted && expect_features != d.num_features)
    throw UsageError("--data " + spec + " has " + std::to_string(d.num_features) +
                     " features per sample but the checkpoint's model expects " +
                     std::to_string(expect_features));
  if (standardize) {
    if (fitted && fitted->fitted())
      d.standardizer = *fitted;
    else
      d.standardizer.fit(d.train.X);
  }
  for (Split* s : {&d.train, &d.valid, &d.test}) {
    if (!s->X.defined()) continue;
    if (d.standardizer.fitted()) s->X = d.standardizer.transform(s->X).contiguous();
    if (s->X.dim() != 2) s->X = s->X.reshape({s->size(), d.num_features});
  }
  return d;
}

void check_compatible(const Split& s, int64_t num_features, int64_t num_classes,
                      const std::string& what) {
  int64_t features = s.X.dim() >= 2 ? s.X.numel() / std::max<int64_t>(1, s.X.size(0)) : 0;
  if (features != num_features)
    throw UsageError(what + " has " + std::to_string(features) +
                     " features per sample but the checkpoint's model expects " +
                     std::to_string(num_features));
  if (!s.y.defined()) return;
  int64_t m = max_label(s.y.contiguous());
  if (m >= num_classes)
    throw UsageError(what + ": label " + std::to_string(m) +
                     " is out of range for the checkpoint's " + std::to_string(num_classes) +
                     " classes (0.." + std::to_string(num_classes - 1) + ")");
}

}  // namespace gf::cli
