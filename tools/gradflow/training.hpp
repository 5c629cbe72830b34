// What `train`, `eval` and `graph` share: the data a config names, the models `--model` names (a
// registry: one entry per model, each saying which input shape it wants), and the optimizer and
// schedule a config describes.
#pragma once
#include <cstdint>
#include <functional>
#include <gradflow/data/classification.hpp>
#include <gradflow/data/dataset.hpp>
#include <gradflow/metrics.hpp>
#include <gradflow/nn/module.hpp>
#include <gradflow/optim/lr_scheduler.hpp>
#include <gradflow/optim/optimizer.hpp>
#include <memory>
#include <string>
#include <vector>

#include "train_config.hpp"

namespace gf::cli {

using Split = data::LabeledSplit;
using DataSets = data::ClassificationData;
// The config's data (data::load_classification; its warnings go to stderr). With `fitted` (a
// checkpoint's), that standardization is applied, for a model with `features` inputs.
DataSets load_datasets(const TrainConfig& config, const data::Standardizer* fitted = nullptr,
                       int64_t features = 0);
// Data meeting a checkpoint (resume, eval, predict): features per sample must equal the model's
// and labels (when present) must be < num_classes; UsageError naming `what` otherwise.
void check_compatible(const Split& s, int64_t num_features, int64_t num_classes,
                      const std::string& what);

struct ModelEntry {
  std::string name, help;
  bool uses_hidden = false;  // reads --hidden
  bool images = false;       // wants [N, 1, H, W] images (H = W) instead of [N, features]
  // Builds the model for `features` inputs and `classes` outputs in `dtype`, drawing parameters
  // from the default generator.
  std::function<std::shared_ptr<nn::Module>(const TrainConfig&, int64_t features, int64_t classes,
                                            DType dtype)>
      build;
};
const std::vector<ModelEntry>& models();
std::vector<std::string> model_list();
std::string model_names(const std::string& separator);
const ModelEntry& find_model(const std::string& name);  // UsageError listing the names

// The model a config describes, seeded with config.seed first. UsageError when its parameters,
// gradients and optimizer state would not fit in this machine's memory.
std::shared_ptr<nn::Module> build_model(const TrainConfig& config, int64_t features,
                                        int64_t classes);
// The per-sample shape the config's model wants: {features} or {1, H, W}.
Shape input_shape(const TrainConfig& config, int64_t features);
// The split's features viewed in that shape (no copy).
Split as_model_input(const Split& s, const Shape& sample_shape);

std::unique_ptr<optim::Optimizer> make_optimizer(const TrainConfig& config,
                                                 const std::vector<Tensor>& parameters);
// CosineAnnealingLR(T_max = epochs) for --schedule cosine, nullptr for none.
std::unique_ptr<optim::LRScheduler> make_scheduler(const TrainConfig& config,
                                                   optim::Optimizer& optimizer);

}  // namespace gf::cli
