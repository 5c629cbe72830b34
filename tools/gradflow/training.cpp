#include "training.hpp"

#include <unistd.h>

#include <cmath>
#include <gradflow/data/idx.hpp>
#include <gradflow/nn/activation.hpp>
#include <gradflow/nn/container.hpp>
#include <gradflow/nn/functional.hpp>
#include <gradflow/nn/linear.hpp>
#include <gradflow/optim/adam.hpp>
#include <gradflow/optim/sgd.hpp>
#include <iostream>

#include "command.hpp"

namespace gf::cli {
namespace {

// Linear(F, h1), ReLU, ..., Linear(hk, C); with no hidden sizes, softmax regression.
std::shared_ptr<nn::Module> mlp(const std::vector<int64_t>& hidden, int64_t in, int64_t classes,
                                DType dtype) {
  auto model = std::make_shared<nn::Sequential>();
  for (int64_t h : hidden) {
    model->push_back(nn::Linear(in, h, true, dtype));
    model->push_back(nn::ReLU());
    in = h;
  }
  model->push_back(nn::Linear(in, classes, true, dtype));
  return model;
}

}  // namespace

std::string default_data_spec() {
  return data::fashion_mnist_available() ? "fashion-mnist" : "synthetic";
}

DataSets load_datasets(const TrainConfig& c, const data::Standardizer* fitted, int64_t features) {
  data::ClassificationSource src{c.data, {}, c.tensor_dtype(), c.seed, c.valid_fraction, fitted};
  src.csv.delimiter = c.csv_delimiter.empty() ? ',' : c.csv_delimiter[0];
  src.csv.label_column = c.csv_label_column;
  src.csv.string_labels = c.csv_string_labels;
  DataSets d = data::load_classification(src);
  for (const auto& w : d.warnings) std::cerr << "warning: " << w << "\n";
  if (fitted && d.num_features != features)
    throw UsageError("--data " + c.data + " has " + std::to_string(d.num_features) +
                     " features per sample but the checkpoint's model expects " +
                     std::to_string(features));
  return d;
}

void check_compatible(const Split& s, int64_t num_features, int64_t num_classes,
                      const std::string& what) {
  const int64_t features = s.X.dim() >= 2 ? s.X.numel() / std::max<int64_t>(1, s.X.size(0)) : 0;
  if (features != num_features)
    throw UsageError(what + " has " + std::to_string(features) +
                     " features per sample but the checkpoint's model expects " +
                     std::to_string(num_features));
  if (!s.y.defined()) return;
  const Tensor y = s.y.contiguous();
  for (int64_t i = 0; i < y.numel(); ++i)
    if (y.data_ptr<int64_t>()[i] >= num_classes)
      throw UsageError(what + ": label " + std::to_string(y.data_ptr<int64_t>()[i]) +
                       " is out of range for the checkpoint's " + std::to_string(num_classes) +
                       " classes (0.." + std::to_string(num_classes - 1) + ")");
}

// One entry per model; a convolutional model sets images = true and gets [N, 1, H, W] batches.
const std::vector<ModelEntry>& models() {
  static const std::vector<ModelEntry> table = {
      {"softmax", "softmax regression: Linear(F, C)", false, false,
       [](const TrainConfig&, int64_t f, int64_t c, DType dt) { return mlp({}, f, c, dt); }},
      {"mlp", "Linear, ReLU, ..., Linear with --hidden sizes", true, false,
       [](const TrainConfig& cfg, int64_t f, int64_t c, DType dt) {
         return mlp(cfg.hidden, f, c, dt);
       }},
  };
  return table;
}

std::vector<std::string> model_list() {
  std::vector<std::string> names;
  for (const auto& m : models()) names.push_back(m.name);
  return names;
}

std::string model_names(const std::string& separator) {
  std::string r;
  for (const auto& n : model_list()) r += (r.empty() ? "" : separator) + n;
  return r;
}

const ModelEntry& find_model(const std::string& name) {
  for (const auto& m : models())
    if (m.name == name) return m;
  throw UsageError("--model: '" + name + "' is not a model (" + model_names(", ") + ")");
}

std::shared_ptr<nn::Module> build_model(const TrainConfig& config, int64_t features,
                                        int64_t classes) {
  const ModelEntry& m = find_model(config.model);
  if (m.uses_hidden) {  // parameters, gradients and (Adam) two moments: 4 copies
    double params = 0, in = double(features);
    for (int64_t h : config.hidden) params += (in + 1) * double(h), in = double(h);
    params += (in + 1) * double(classes);
    const double bytes = 4 * params * double(element_size(config.tensor_dtype()));
    const double memory = double(sysconf(_SC_PHYS_PAGES)) * double(sysconf(_SC_PAGESIZE));
    if (bytes > memory)
      throw UsageError("--hidden " + std::to_string(config.hidden.front()) +
                       "...: the model would " + "have " + std::to_string(int64_t(params)) +
                       " parameters, " + std::to_string(int64_t(bytes / 1e9)) +
                       " GB with gradients and optimizer " + "state; this machine has " +
                       std::to_string(int64_t(memory / 1e9)) + " GB");
  }
  input_shape(config, features);  // checks that image models get square images
  manual_seed(config.seed);
  return m.build(config, features, classes, config.tensor_dtype());
}

Shape input_shape(const TrainConfig& config, int64_t features) {
  if (!find_model(config.model).images) return Shape{features};
  const auto side = static_cast<int64_t>(std::llround(std::sqrt(double(features))));
  if (side * side != features)
    throw UsageError("--model " + config.model + " wants square images, but the data has " +
                     std::to_string(features) + " features per sample");
  return Shape{1, side, side};
}

Split as_model_input(const Split& s, const Shape& sample_shape) {
  Shape shape = sample_shape;
  shape.insert(0, s.size());
  return {s.X.defined() ? s.X.reshape(shape) : s.X, s.y};
}

std::unique_ptr<optim::Optimizer> make_optimizer(const TrainConfig& c,
                                                 const std::vector<Tensor>& parameters) {
  if (c.optimizer == "sgd")
    return std::make_unique<optim::SGD>(
        parameters, optim::SGDOptions(c.lr).momentum(c.momentum).weight_decay(c.weight_decay));
  if (c.optimizer == "adamw")
    return std::make_unique<optim::AdamW>(parameters,
                                          optim::AdamWOptions(c.lr).weight_decay(c.weight_decay));
  return std::make_unique<optim::Adam>(parameters,
                                       optim::AdamOptions(c.lr).weight_decay(c.weight_decay));
}

std::unique_ptr<optim::LRScheduler> make_scheduler(const TrainConfig& c,
                                                   optim::Optimizer& optimizer) {
  if (c.schedule == "none") return nullptr;
  return std::make_unique<optim::CosineAnnealingLR>(optimizer, c.epochs);
}

}  // namespace gf::cli
