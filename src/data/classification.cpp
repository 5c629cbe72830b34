// load_classification: the data sets of `gradflow train` by spec, split and standardized.
#include "gradflow/data/classification.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <tuple>

#include "gradflow/data/idx.hpp"
#include "gradflow/data/synthetic.hpp"
#include "gradflow/error.hpp"

namespace gf::data {
namespace {

bool exists(const std::string& path, bool directory) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && (!directory || S_ISDIR(st.st_mode));
}

std::pair<LabeledSplit, LabeledSplit> hold_out(Tensor X, Tensor y, double fraction, uint64_t seed) {
  auto s = train_test_split_in_place(X, y, fraction, seed);
  return {{s.X_train, s.y_train}, {s.X_test, s.y_test}};
}

}  // namespace

ClassificationData load_classification(const ClassificationSource& src) {
  const std::string& spec = src.spec;
  const std::string op = "load_classification: " + spec + ": ";
  ClassificationData d;
  LabeledSplit train_all;
  bool standardize = true;
  if (spec == "fashion-mnist" || spec.rfind("idx:", 0) == 0) {
    GF_CHECK(is_floating(src.dtype), op, "dtype must be floating, got ", dtype_name(src.dtype));
    const DType stored = src.uint8_images ? DType::UInt8 : src.dtype;
    if (src.uint8_images) d.transform = ToDtype{src.dtype, /*scale=*/true};
    IdxDataset idx;
    if (spec == "fashion-mnist") {
      idx = load_fashion_mnist(kFashionMnistDir, stored);  // says how to install it
      d.description = std::string("Fashion-MNIST (") + kFashionMnistDir + ")";
      d.class_names = fashion_mnist_classes();
    } else {
      const std::string dir = spec.substr(4);
      GF_CHECK(exists(dir, true), op, dir, " is not a directory");
      idx = load_idx_dataset(dir, stored);
      d.description = "IDX files in " + dir;
    }
    train_all = {idx.train_images.contiguous(), idx.train_labels.contiguous()};
    d.test = {idx.test_images.contiguous(), idx.test_labels.contiguous()};
    d.num_classes = idx.num_classes;
    standardize = false;
  } else if (spec.rfind("csv:", 0) == 0) {
    const std::string file = spec.substr(4);
    GF_CHECK(exists(file, false), op, file, " does not exist");
    CsvOptions o = src.csv;
    o.dtype = src.dtype;
    CsvData csv = read_csv(file, o);
    const int64_t rows = csv.features.size(0);
    GF_CHECK(rows >= 10, file, ": ", rows, " rows; need at least 10 to split into train, valid ",
             "and test");
    GF_CHECK(csv.num_classes <= rows, op, "the largest label is ", csv.num_classes - 1,
             ", more classes than the ", rows, " samples; labels must be class ids 0..C-1");
    std::vector<int64_t> count(static_cast<size_t>(csv.num_classes), 0);
    for (int64_t i = 0; i < rows; ++i) ++count[csv.labels.data_ptr<int64_t>()[i]];
    std::string empty;
    for (int64_t k = 0; k < csv.num_classes; ++k)
      if (count[k] == 0) empty += (empty.empty() ? "" : ", ") + std::to_string(k);
    if (!empty.empty())
      d.warnings.push_back(file + ": no samples of class " + empty + " (labels run 0.." +
                           std::to_string(csv.num_classes - 1) + "); the model still has " +
                           std::to_string(csv.num_classes) + " outputs");
    std::tie(train_all, d.test) = hold_out(csv.features, csv.labels, 0.2, src.seed);
    d.num_classes = csv.num_classes;
    d.class_names = csv.class_names;
    d.description = "CSV " + file;
  } else {
    GF_CHECK(spec == "synthetic", op, "expected fashion-mnist, idx:DIR, csv:FILE or synthetic");
    // 5 classes in 20 features (10 informative, 4 redundant), fixed (random_state 42) so every
    // run and machine sees the same data; the seed changes the splits only.
    MakeClassificationOptions o;
    o.n_samples = 12000, o.n_features = 20, o.n_informative = 10, o.n_redundant = 4;
    o.n_classes = 5, o.random_state = 42, o.dtype = src.dtype;
    LabeledData s = make_classification(o);
    std::tie(train_all, d.test) = hold_out(s.X, s.y, 0.2, src.seed);
    d.num_classes = 5;
    d.description = "synthetic (make_classification: 12000 samples, 20 features, 5 classes)";
  }
  if (d.class_names.size() != static_cast<size_t>(d.num_classes)) {
    d.class_names.clear();
    for (int64_t i = 0; i < d.num_classes; ++i) d.class_names.push_back(std::to_string(i));
  }
  if (src.valid_fraction > 0)
    std::tie(d.train, d.valid) =
        hold_out(train_all.X, train_all.y, src.valid_fraction, src.seed + 1);
  else
    d.train = train_all;
  d.num_features = d.train.X.numel() / std::max<int64_t>(1, d.train.size());
  GF_CHECK(src.expect_features == 0 || src.expect_features == d.num_features,
           "load_classification: ", spec, " has ", d.num_features,
           " features per sample but the model expects ", src.expect_features);
  for (const LabeledSplit* s : {&d.train, &d.valid, &d.test})
    for (int64_t i = 0; src.expect_classes > 0 && i < s->size(); ++i) {
      const int64_t label = s->y.data_ptr<int64_t>()[i];  // (the splits are contiguous views)
      GF_CHECK(label < src.expect_classes, "load_classification: ", spec, ": label ", label,
               " is out of range for the model's ", src.expect_classes, " classes (0..",
               src.expect_classes - 1, ")");
    }
  if (standardize) {
    if (src.fitted && src.fitted->fitted()) {
      GF_CHECK(src.fitted->mean().numel() == d.num_features, "load_classification: ", spec, " has ",
               d.num_features, " features per sample but the fitted standardizer (the ",
               "model) expects ", src.fitted->mean().numel());
      d.standardizer = *src.fitted;
    } else {
      d.standardizer.fit(d.train.X);
    }
  }
  for (LabeledSplit* s : {&d.train, &d.valid, &d.test}) {
    if (!s->X.defined()) continue;
    if (standardize) s->X = d.standardizer.transform(s->X).contiguous();
    if (s->X.dim() != 2) s->X = s->X.reshape({s->size(), d.num_features});
  }
  return d;
}

}  // namespace gf::data
