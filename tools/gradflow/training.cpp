#include "training.hpp"

#include <unistd.h>

#include <cmath>
#include <gradflow/data/idx.hpp>
#include <iostream>

#include "command.hpp"

namespace gf::cli {
std::string default_data_spec() {
  return data::fashion_mnist_available() ? "fashion-mnist" : "synthetic";
}

DataSets load_datasets(const TrainConfig& c, const RunInfo* model,
                       const data::Standardizer* fitted) {
  data::ClassificationSource src{c.data, {}, c.tensor_dtype(), c.seed, c.valid_fraction, fitted};
  src.csv.delimiter = c.csv_delimiter.empty() ? ',' : c.csv_delimiter[0];
  src.csv.label_column = c.csv_label_column;
  src.csv.string_labels = c.csv_string_labels;
  src.uint8_images = true;  // images stay UInt8 (a quarter of float32's memory), d.transform
                            // converts each batch
  if (model) src.expect_features = model->num_features, src.expect_classes = model->num_classes;
  DataSets d = data::load_classification(src);
  for (const auto& w : d.warnings) std::cerr << "warning: " << w << "\n";
  return d;
}

const train::ModelEntry& find_model(const std::string& name) {
  if (const train::ModelEntry* m = train::find_model(name)) return *m;
  throw UsageError("--model: '" + name + "' is not a model (" + train::model_names() + ")");
}

std::vector<std::string> model_list() {
  std::vector<std::string> names;
  for (const auto& m : train::models()) names.push_back(m.name);
  return names;
}

std::shared_ptr<nn::Module> build_model(const TrainConfig& c, int64_t features, int64_t classes) {
  const train::ModelEntry& m = find_model(c.model);
  const train::ModelOptions o{c.hidden, features, classes, c.tensor_dtype()};
  const double bytes = train::training_bytes(m, o);
  const double memory = double(sysconf(_SC_PHYS_PAGES)) * double(sysconf(_SC_PAGESIZE));
  if (bytes > memory)
    throw UsageError("--hidden: training this model needs about " +
                     std::to_string(int64_t(bytes / 1e9)) + " GB (parameters, gradients and " +
                     "optimizer state); this machine has " + std::to_string(int64_t(memory / 1e9)) +
                     " GB");
  input_shape(c, features);  // checks that image models get square images
  manual_seed(c.seed);
  return m.build(o);
}

Shape input_shape(const TrainConfig& c, int64_t features) {
  return train::input_shape(find_model(c.model), features);  // gf::Error: exit 2
}

Split as_model_input(const Split& s, const Shape& sample_shape) {
  Shape shape = sample_shape;
  shape.insert(0, s.size());
  return {s.X.defined() ? s.X.reshape(shape) : s.X, s.y};
}

}  // namespace gf::cli
