#include "datasets.hpp"

#include <cmath>
#include <cstring>
#include <numeric>

#include <gradflow/generator.hpp>

#include <filesystem>
#include <gradflow/data/csv.hpp>
#include <gradflow/data/idx.hpp>
#include <gradflow/data/synthetic.hpp>
#include <gradflow/error.hpp>
#include <gradflow/ops.hpp>

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

std::vector<std::string> numbered_classes(int64_t n) {
  std::vector<std::string> names;
  for (int64_t i = 0; i < n; ++i) names.push_back(std::to_string(i));
  return names;
}

int64_t max_label(const Tensor& y) {
  if (y.numel() == 0) return -1;
  const int64_t* p = y.contiguous().data_ptr<int64_t>();
  int64_t m = -1;
  for (int64_t i = 0; i < y.numel(); ++i) {
    if (p[i] < 0)
      throw UsageError("label " + std::to_string(p[i]) + " at row " + std::to_string(i + 1) +
                       " is negative");
    m = std::max(m, p[i]);
  }
  return m;
}

// Splits off `fraction` of (X, y) with a seeded permutation: {rest, held_out}. The rows are
// permuted in place (cycle by cycle, one row of scratch) and both parts are views of the same
// buffer, so a 188 MB training set is never held twice. X and y must be owned by the caller.
std::pair<Split, Split> hold_out(Tensor X, Tensor y, double fraction, uint64_t seed) {
  X = X.contiguous();
  y = y.contiguous();
  const int64_t n = X.size(0);
  const int64_t n_held = static_cast<int64_t>(std::ceil(fraction * static_cast<double>(n)));
  GF_CHECK(n_held > 0 && n_held < n, "hold_out: cannot hold out ", fraction, " of ", n, " rows");
  std::vector<int64_t> perm(n);
  std::iota(perm.begin(), perm.end(), 0);
  Generator g(seed);
  for (int64_t i = n - 1; i > 0; --i) std::swap(perm[i], perm[g.randint(0, i + 1)]);
  // new row i = old row perm[i], applied along each cycle of the permutation
  const int64_t row = X.numel() / std::max<int64_t>(n, 1);
  const std::size_t row_bytes = static_cast<std::size_t>(row) * element_size(X.dtype());
  auto* xb = static_cast<char*>(X.impl().storage->data) + X.storage_offset() * element_size(X.dtype());
  int64_t* yb = y.data_ptr<int64_t>();
  std::vector<char> scratch(row_bytes);
  std::vector<bool> done(n, false);
  for (int64_t start = 0; start < n; ++start) {
    if (done[start]) continue;
    std::memcpy(scratch.data(), xb + start * row_bytes, row_bytes);
    int64_t y_first = yb[start], i = start;
    while (perm[i] != start) {
      std::memcpy(xb + i * row_bytes, xb + perm[i] * row_bytes, row_bytes);
      yb[i] = yb[perm[i]];
      done[i] = true;
      i = perm[i];
    }
    std::memcpy(xb + i * row_bytes, scratch.data(), row_bytes);
    yb[i] = y_first;
    done[i] = true;
  }
  const int64_t n_rest = n - n_held;
  return {Split{X.slice(0, 0, n_rest), y.slice(0, 0, n_rest)},
          Split{X.slice(0, n_rest, n), y.slice(0, n_rest, n)}};
}

}  // namespace

bool fashion_mnist_installed() { return data::fashion_mnist_available(); }

std::string default_data_spec() {
  return fashion_mnist_installed() ? "fashion-mnist" : "synthetic";
}

DataSets load_datasets(const std::string& spec, DType dtype, uint64_t seed, double valid_fraction) {
  DataSets d;
  d.spec = spec;
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
    train_all = {idx.train_images, idx.train_labels};
    d.test = {idx.test_images.contiguous(), idx.test_labels.contiguous()};
    d.num_classes = idx.num_classes;
  } else if (spec.rfind("csv:", 0) == 0) {
    std::string file = spec.substr(4);
    if (!fs::exists(file)) throw UsageError("--data " + spec + ": " + file + " does not exist");
    data::CsvOptions o;
    o.dtype = dtype;
    auto csv = data::read_csv(file, o);
    if (csv.features.size(0) < 10)
      throw UsageError(file + ": " + std::to_string(csv.features.size(0)) +
                       " rows; need at least 10 to split into train, valid and test");
    auto [rest, test] = hold_out(csv.features, csv.labels, 0.2, seed);
    train_all = rest;
    d.test = test;
    d.num_classes = csv.num_classes;
    d.description = "CSV " + file;
    standardize = true;
  } else if (spec == "synthetic") {
    auto s = synthetic_data(dtype);
    auto [rest, test] = hold_out(s.X, s.y, 0.2, seed);
    train_all = rest;
    d.test = test;
    d.num_classes = 5;
    d.description = "synthetic (make_classification: 12000 samples, 20 features, 5 classes)";
    standardize = true;
  } else {
    throw UsageError("--data " + spec + ": expected fashion-mnist, idx:DIR, csv:FILE or synthetic");
  }
  d.num_classes = std::max({d.num_classes, max_label(train_all.y) + 1, max_label(d.test.y) + 1});
  const int64_t rows = train_all.size() + d.test.size();
  if (d.num_classes > rows)
    throw UsageError("--data " + spec + ": the largest label is " +
                     std::to_string(d.num_classes - 1) + ", more classes than the " +
                     std::to_string(rows) + " samples; labels must be class ids 0..C-1");
  if (d.class_names.size() != static_cast<size_t>(d.num_classes))
    d.class_names = numbered_classes(d.num_classes);
  auto [train, valid] = hold_out(train_all.X, train_all.y, valid_fraction, seed + 1);
  d.train = train;
  d.valid = valid;
  if (standardize) {
    d.standardizer.fit(d.train.X);
    d.train.X = d.standardizer.transform(d.train.X).contiguous();
    d.valid.X = d.standardizer.transform(d.valid.X).contiguous();
    d.test.X = d.standardizer.transform(d.test.X).contiguous();
  }
  d.num_features = d.train.X.numel() / std::max<int64_t>(1, d.train.size());
  for (Split* s : {&d.train, &d.valid, &d.test})
    if (s->X.dim() != 2) s->X = s->X.reshape({s->size(), d.num_features});
  return d;
}

void check_compatible(const Split& s, int64_t num_features, int64_t num_classes,
                      const std::string& what) {
  int64_t features = s.X.dim() >= 2 ? s.X.numel() / std::max<int64_t>(1, s.X.size(0)) : 0;
  if (features != num_features)
    throw UsageError(what + " has " + std::to_string(features) +
                     " features per sample but the checkpoint's model expects " +
                     std::to_string(num_features));
  if (s.y.defined()) {
    int64_t m = max_label(s.y);
    if (m >= num_classes)
      throw UsageError(what + ": label " + std::to_string(m) +
                       " is out of range for the checkpoint's " + std::to_string(num_classes) +
                       " classes (0.." + std::to_string(num_classes - 1) + ")");
  }
}

}  // namespace gf::cli
